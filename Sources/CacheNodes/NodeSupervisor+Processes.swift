import ElastiCache
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The supervisor's node processes one by one: their configuration files, starting and
/// stopping them, bringing a running one to a new spec, and stopping what a killed server left.
extension NodeSupervisor {
    /// node.conf, readable by this user only (it may hold AUTH tokens).
    func writeConfiguration(_ key: String, port: Int, _ spec: NodeSpec) throws {
        let path = nodeDirectory(key) + "/node.conf"
        let text = engines.configuration(
            port: port, host: host, directory: nodeDirectory(key), passwords: spec.passwords, settings: spec.settings,
            replicaOf: spec.replicaOf, clustered: spec.clustered, announcePort: spec.announcePort,
            supervisorSecret: supervisorSecret)
        _ = FileManager.default.createFile(
            atPath: path + ".new", contents: nil, attributes: [.posixPermissions: 0o600])
        try text.write(toFile: path + ".new", atomically: false, encoding: .utf8)
        _ = rename(path + ".new", path)
    }

    /// A running node brought to its new spec without a restart: its users (AUTH tokens, RBAC
    /// users) with ACL SETUSER / DELUSER, dynamic settings with CONFIG SET (static ones, and all
    /// of memcached's, wait for the next start), its replication with REPLICAOF (a failover), as
    /// the supervisor's own user; then its node.conf rewritten for the next start.
    func applyLive(_ key: String, _ node: Running, _ want: NodeSpec) {
        let current = node.spec
        var commands: [[String]] = []
        if current.engine != "memcached" {
            if want.passwords != current.passwords || want.settings?.users != current.settings?.users {
                let rules = NodeEngines.userRules(
                    passwords: want.passwords, users: want.settings?.users, secret: supervisorSecret)
                commands += rules.map { ["ACL", "SETUSER"] + $0 }
                let kept = Set(rules.compactMap(\.first))
                let before = NodeEngines.userRules(
                    passwords: current.passwords, users: current.settings?.users, secret: supervisorSecret)
                commands += before.compactMap(\.first).filter { !kept.contains($0) }.map { ["ACL", "DELUSER", $0] }
            }
            if let memory = want.settings?.memoryBytes, memory != current.settings?.memoryBytes {
                commands.append(["CONFIG", "SET", "maxmemory", String(memory)])
            }
            for (name, value) in (want.settings?.parameters ?? [:]).sorted(by: { $0.key < $1.key })
            where current.settings?.parameters[name] != value && want.settings?.staticNames.contains(name) != true {
                commands.append(["CONFIG", "SET", name, value])
            }
            if want.announcePort != current.announcePort {
                // A cluster-mode group gained or lost IAM users: its nodes announce their gates
                // or themselves (0: the node's own port), which gossip spreads.
                commands.append(["CONFIG", "SET", "cluster-announce-port", String(want.announcePort ?? 0)])
            }
            if want.replicaOf != current.replicaOf {
                commands.append(["REPLICAOF"] + (want.replicaOf.map { [host, String($0)] } ?? ["NO", "ONE"]))
            }
        }
        if !commands.isEmpty {
            guard NodeProbe.command(host: host, port: node.port, [supervisorLogin] + commands) else {
                logger.error("cache node refused its new tokens or settings", metadata: ["node": .string(key)])
                return
            }
        }
        if current.engine != "memcached" {
            do {
                try writeConfiguration(key, port: node.port, want)
            } catch {
                logger.error(
                    "cache node configuration not written", metadata: ["node": .string(key), "error": "\(error)"])
            }
        }
        running[key]?.spec = want
    }

    /// Starts a node. Its first start in this server process loads the data it wrote when it
    /// last stopped with SIGTERM (a server restart); any later start (a reboot, a dead node
    /// replaced) begins empty, as on AWS.
    func start(_ key: String, _ spec: NodeSpec) {
        guard let program = engines.programs[spec.engine] else { return }
        let port = ports.port(for: key)
        let nodeDirectory = nodeDirectory(key)
        do {
            if !FileManager.default.fileExists(atPath: nodeDirectory) {
                try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
                seed(nodeDirectory, from: spec.restoreFrom)
            }
            if started.contains(key) { try? FileManager.default.removeItem(atPath: nodeDirectory + "/dump.rdb") }
            started.insert(key)
            if spec.engine != "memcached" {
                try writeConfiguration(key, port: port, spec)
            }
            let pid = try NodeProcess.spawn(
                program,
                arguments: engines.arguments(
                    engine: spec.engine, port: port, host: host, directory: nodeDirectory, settings: spec.settings),
                log: nodeDirectory + "/node.log")
            try "\(pid)\n".write(toFile: nodeDirectory + "/pid", atomically: true, encoding: .utf8)
            running[key] = Running(pid: pid, port: port, spec: spec)
            readiness.set(key, false)
            logger.info(
                "cache node started",
                metadata: ["node": .string(key), "port": .stringConvertible(port), "program": .string(program)])
        } catch {
            logger.error("cache node did not start", metadata: ["node": .string(key), "error": "\(error)"])
        }
    }

    /// Counts an exit of `key`'s process, started at `started`, and sets when it may start again.
    func noteExit(_ key: String, started: Date) {
        let now = Date()
        let count = now.timeIntervalSince(started) < Self.quickExit ? (quickExits[key]?.count ?? 0) + 1 : 1
        let wait = count < 2 ? 0 : min(TimeInterval(1 << min(count - 2, 3)), 8)
        quickExits[key] = (count, now.addingTimeInterval(wait))
    }

    /// The last lines a node's program wrote (its `node.log`, which its next start replaces):
    /// why it exited, e.g. a port it could not bind.
    func lastOutput(of key: String, lines: Int = 3) -> String {
        guard let data = FileManager.default.contents(atPath: nodeDirectory(key) + "/node.log") else { return "" }
        let tail = String(decoding: data.suffix(2048), as: UTF8.self)
        return tail.split(whereSeparator: \.isNewline).suffix(lines).joined(separator: " | ")
    }

    func stop(_ key: String, _ node: Running) {
        NodeProcess.stop(node.pid)
        running[key] = nil
        readiness.set(key, false)
        try? FileManager.default.removeItem(atPath: nodeDirectory(key) + "/pid")
    }

    /// Node processes a killed server left running: stopped, so their ports are free again.
    nonisolated static func stopOrphans(in directory: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries {
            let pidFile = "\(directory)/\(entry)/pid"
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                ["memcached", "redis-server", "valkey-server"].contains(where: { command.contains($0) })
            else { continue }
            NodeProcess.stop(pid)
            try? FileManager.default.removeItem(atPath: pidFile)
        }
    }
}
