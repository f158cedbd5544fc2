import Foundation
import Logging

/// A cluster-mode group restored from a snapshot of another shape (another shard count, or a
/// snapshot without cluster mode) starts empty and then imports the snapshot's keys: each saved
/// RDB is loaded by a temporary standalone node, and `redis-cli --cluster import --cluster-copy`
/// moves its keys into the slots the new cluster's shards hold. A marker file in the first
/// primary's directory says it is done (a server restart does not import again).
extension NodeSupervisor {
    /// Whether `group` holds its restored data (true when there is nothing to import).
    func importRestoredData(_ group: ReplicationLayout.Group) async -> Bool {
        guard !group.importFrom.isEmpty, let first = group.shards.first?.primary else { return true }
        let marker = nodeDirectory(first) + "/imported"
        if FileManager.default.fileExists(atPath: marker) { return true }
        guard let program = engines.programs["redis"] ?? engines.programs["valkey"], let tool = engines.clusterTool,
            let target = running[first]
        else { return false }
        for (index, dataKey) in group.importFrom.enumerated()
        where FileManager.default.fileExists(atPath: snapshotFile(dataKey)) {
            let key = "import-\(first)-\(index)"
            guard await importKeys(from: dataKey, key: key, program: program, tool: tool, into: target.port, log: first)
            else { return false }
        }
        guard FileManager.default.createFile(atPath: marker, contents: Data()) else { return false }
        logger.info("restored data imported", metadata: ["group": .string(group.arn)])
        return true
    }

    /// Loads one RDB into a temporary node on loopback and copies its keys into the cluster.
    private func importKeys(
        from dataKey: String, key: String, program: String, tool: String, into port: Int, log node: String
    ) async -> Bool {
        let directory = nodeDirectory(key)
        try? FileManager.default.removeItem(atPath: directory)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            ports.release(key)
        }
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil,
            (try? FileManager.default.copyItem(atPath: snapshotFile(dataKey), toPath: directory + "/dump.rdb")) != nil
        else { return false }
        let sourcePort = ports.port(for: key)
        // No password and no persistence: it serves only this copy, on loopback, and stops.
        guard
            let pid = try? NodeProcess.spawn(
                program,
                arguments: [
                    "--port", "\(sourcePort)", "--bind", host, "--dir", directory, "--dbfilename", "dump.rdb",
                    "--save", "", "--appendonly", "no",
                ],
                log: directory + "/node.log")
        else { return false }
        defer { NodeProcess.stop(pid) }
        let host = host
        // PING answers only once the RDB is loaded (a loading node answers -LOADING).
        guard await until(seconds: 30, { NodeProbe.answers(engine: "redis", host: host, port: sourcePort) }) else {
            logger.error("import source did not start", metadata: ["snapshot": .string(dataKey)])
            return false
        }
        let status = await NodeProcess.run(
            tool,
            arguments: [
                "--user", NodeEngines.supervisorUser, "--cluster", "import", "\(host):\(port)", "--cluster-from",
                "\(host):\(sourcePort)", "--cluster-copy", "--cluster-replace",
            ],
            log: nodeDirectory(node) + "/import.log", environment: ["REDISCLI_AUTH": supervisorSecret])
        if status != 0 {
            logger.error("import failed", metadata: ["snapshot": .string(dataKey), "status": "\(status ?? -1)"])
        }
        return status == 0
    }
}
