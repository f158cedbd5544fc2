import ElastiCache
import Foundation
import Logging
import NIOPosix
import Persistence
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Which nodes answer: written by the supervisor, read by ElastiCache (a creating or rebooting
/// cluster becomes available only when all its nodes are in here).
package final class NodeReadiness: Sendable {
    private let ready = Mutex<Set<String>>([])

    package init() {}

    func set(_ node: String, _ answers: Bool) {
        ready.withLock { if answers { $0.insert(node) } else { $0.remove(node) } }
    }

    package func contains(_ node: String) -> Bool { ready.withLock { $0.contains(node) } }
}

/// The processes behind cache clusters: one server per node on loopback, started when its
/// cluster is created, restarted when it is rebooted or dies, stopped when it is deleted.
/// Each pass reconciles the processes with the stored clusters; passes never overlap.
package actor NodeSupervisor {
    struct Running {
        var pid: pid_t
        var engine: String
        var port: Int
        /// The reboot (its end time) this process was started for.
        var reboot: Date?
        /// The AUTH tokens the node accepts.
        var passwords: [String]
        /// Memory and engine settings from the node type and parameter group.
        var settings: NodeSettings?
    }

    package nonisolated let engines: NodeEngines
    package nonisolated let ports: NodePorts
    package nonisolated let readiness = NodeReadiness()
    package nonisolated let host: String
    let directory: String
    let logger: Logger
    private var running: [String: Running] = [:]
    private var previous: Task<Void, Never>?
    /// Nodes restarted because their process died, not yet reported: (cluster ARN, node id).
    private var recoveries: [(cluster: String, node: String)] = []
    /// Memcached clusters' configuration endpoints by cluster ARN, and what they answer.
    private var discovery: [String: DiscoveryEndpoint] = [:]
    private nonisolated let discovered = DiscoveryState()

    package init(engines: NodeEngines, portRange: ClosedRange<Int>, host: String, dataDirectory: String, logger: Logger)
        throws
    {
        self.engines = engines
        self.host = host
        self.directory = dataDirectory + "/nodes"
        self.logger = logger
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.ports = NodePorts(range: portRange, directory: directory)
        Self.stopOrphans(in: directory)
    }

    /// The port of a memcached cluster's configuration endpoint (auto-discovery).
    package nonisolated func configurationPort(_ cluster: CacheClusterRecord) -> Int {
        ports.port(for: "\(cluster.arn)/config")
    }

    /// The key of a node: its cluster's ARN and its id.
    package nonisolated static func key(_ cluster: CacheClusterRecord, nodeId: String) -> String {
        "\(cluster.arn)/\(nodeId)"
    }

    /// Whether this supervisor runs the nodes of `cluster` (a standalone cluster of an engine
    /// whose program is installed); the others keep address-only nodes.
    package nonisolated func runs(_ cluster: CacheClusterRecord) -> Bool {
        cluster.replicationGroupId == nil && engines.programs[cluster.engine] != nil
    }

    /// Whether every node of `cluster` answers (always, for a cluster this supervisor does not run).
    package nonisolated func nodesReady(_ cluster: CacheClusterRecord) -> Bool {
        guard runs(cluster) else { return true }
        return cluster.nodes.allSatisfy { readiness.contains(Self.key(cluster, nodeId: $0.id)) }
    }

    /// Brings the processes in line with `clusters` and waits (up to a few seconds) until new
    /// ones answer. Waits for a pass already under way first.
    package func reconcile(_ clusters: [CacheClusterRecord], settings: [String: NodeSettings] = [:]) async {
        let earlier = previous
        let pass = Task { [self] in
            await earlier?.value
            await self.pass(clusters, settings: settings)
        }
        previous = pass
        await pass.value
    }

    private func pass(_ clusters: [CacheClusterRecord], settings: [String: NodeSettings]) async {
        var wanted: [String: (engine: String, reboot: Date?, passwords: [String], settings: NodeSettings?)] = [:]
        for cluster in clusters where runs(cluster) && cluster.status != .deleting {
            for node in cluster.nodes {
                wanted[Self.key(cluster, nodeId: node.id)] = (
                    cluster.engine, cluster.status == .rebooting ? cluster.readyAt : nil,
                    (cluster.authTokens ?? []).map(\.value), settings[cluster.arn]
                )
            }
        }
        for (key, node) in running where wanted[key] == nil {
            stop(key, node)
            ports.release(key)
        }
        for (key, want) in wanted.sorted(by: { $0.key < $1.key }) {
            if let current = running[key] {
                let rebooted = want.reboot != nil && want.reboot != current.reboot
                let alive = NodeProcess.isAlive(current.pid)
                if alive && !rebooted {
                    if current.passwords != want.passwords || current.settings != want.settings {
                        applyLive(key, current, passwords: want.passwords, settings: want.settings)
                    }
                    continue
                }
                if !alive {
                    logger.warning("cache node exited; restarting", metadata: ["node": .string(key)])
                    if let slash = key.lastIndex(of: "/") {
                        recoveries.append((String(key[..<slash]), String(key[key.index(after: slash)...])))
                    }
                }
                stop(key, current)
            }
            start(key, engine: want.engine, reboot: want.reboot, passwords: want.passwords, settings: want.settings)
        }
        if !recoveries.isEmpty, let recoveryReporter {
            let recovered = Dictionary(grouping: recoveries, by: \.cluster).mapValues { $0.map(\.node).sorted() }
            recoveries = []
            await recoveryReporter(recovered)
        }
        await reconcileDiscovery(clusters.filter { runs($0) && $0.status != .deleting && $0.engine == "memcached" })
        // New processes need a moment to listen: ask each until it answers.
        let deadline = Date().addingTimeInterval(5)
        for (key, node) in running where !readiness.contains(key) {
            while !NodeProbe.answers(engine: node.engine, host: host, port: node.port) {
                guard Date() < deadline, NodeProcess.isAlive(node.pid) else { break }
                try? await Task.sleep(for: .milliseconds(25))
            }
            readiness.set(key, NodeProbe.answers(engine: node.engine, host: host, port: node.port))
        }
    }

    /// Told, within the pass that restarted them, which nodes came back after their process
    /// died (node ids by cluster ARN): ElastiCache records its recovery events.
    private var recoveryReporter: (@Sendable ([String: [String]]) async -> Void)?

    package func reportRecoveries(to reporter: @escaping @Sendable ([String: [String]]) async -> Void) {
        recoveryReporter = reporter
    }

    /// Stops every node (the server is shutting down).
    package func stopAll() async {
        for (key, node) in running { stop(key, node) }
        for endpoint in discovery.values { await endpoint.stop() }
        discovery = [:]
    }

    /// One configuration endpoint per running memcached cluster; its version rises whenever
    /// the cluster's nodes change.
    private func reconcileDiscovery(_ clusters: [CacheClusterRecord]) async {
        let wanted = Set(clusters.map(\.arn))
        for (arn, endpoint) in discovery where !wanted.contains(arn) {
            await endpoint.stop()
            discovery[arn] = nil
            ports.release("\(arn)/config")
            _ = discovered.clusters.withLock { $0.removeValue(forKey: arn) }
        }
        for cluster in clusters {
            let nodes = cluster.nodes.map { (host: host, port: ports.port(for: Self.key(cluster, nodeId: $0.id))) }
            discovered.clusters.withLock { state in
                let previous = state[cluster.arn]
                let same = previous.map { $0.nodes.map(\.port) == nodes.map(\.port) } ?? false
                state[cluster.arn] = (same ? previous?.version ?? 1 : (previous?.version ?? 0) + 1, nodes)
            }
            guard discovery[cluster.arn] == nil else { continue }
            let arn = cluster.arn
            do {
                discovery[arn] = try await DiscoveryEndpoint.start(
                    group: MultiThreadedEventLoopGroup.singleton, host: host, port: configurationPort(cluster)
                ) { [discovered] in
                    discovered.clusters.withLock { $0[arn] } ?? (1, [])
                }
            } catch {
                logger.error(
                    "configuration endpoint did not start", metadata: ["cluster": .string(arn), "error": "\(error)"])
            }
        }
    }

    private func nodeDirectory(_ key: String) -> String {
        directory + "/" + String(key.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }

    /// node.conf, readable by this user only (it may hold AUTH tokens).
    private func writeConfiguration(_ key: String, port: Int, passwords: [String], settings: NodeSettings?) throws {
        let path = nodeDirectory(key) + "/node.conf"
        let text = engines.configuration(
            port: port, host: host, directory: nodeDirectory(key), passwords: passwords, settings: settings)
        _ = FileManager.default.createFile(
            atPath: path + ".new", contents: nil, attributes: [.posixPermissions: 0o600])
        try text.write(toFile: path + ".new", atomically: false, encoding: .utf8)
        _ = rename(path + ".new", path)
    }

    /// A running node brought to new AUTH tokens and settings without a restart: the default
    /// user's passwords with ACL SETUSER, dynamic settings with CONFIG SET (static ones, and
    /// all of memcached's, wait for the next start), authenticated with one of its current
    /// tokens; then its node.conf rewritten for that next start.
    private func applyLive(_ key: String, _ node: Running, passwords: [String], settings: NodeSettings?) {
        var commands: [[String]] = []
        if node.engine != "memcached" {
            if passwords != node.passwords {
                commands.append(["ACL", "SETUSER"] + NodeEngines.defaultUserRule(passwords))
            }
            if let memory = settings?.memoryBytes, memory != node.settings?.memoryBytes {
                commands.append(["CONFIG", "SET", "maxmemory", String(memory)])
            }
            for (name, value) in (settings?.parameters ?? [:]).sorted(by: { $0.key < $1.key })
            where node.settings?.parameters[name] != value && settings?.staticNames.contains(name) != true {
                commands.append(["CONFIG", "SET", name, value])
            }
        }
        if !commands.isEmpty {
            let authenticate = node.passwords.first.map { [["AUTH", $0]] } ?? []
            guard NodeProbe.command(host: host, port: node.port, authenticate + commands) else {
                logger.error("cache node refused its new tokens or settings", metadata: ["node": .string(key)])
                return
            }
        }
        if node.engine != "memcached" {
            do {
                try writeConfiguration(key, port: node.port, passwords: passwords, settings: settings)
            } catch {
                logger.error(
                    "cache node configuration not written", metadata: ["node": .string(key), "error": "\(error)"])
            }
        }
        running[key]?.passwords = passwords
        running[key]?.settings = settings
    }

    private func start(
        _ key: String, engine: String, reboot: Date?, passwords: [String], settings: NodeSettings?
    ) {
        guard let program = engines.programs[engine] else { return }
        let port = ports.port(for: key)
        let nodeDirectory = nodeDirectory(key)
        do {
            try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
            if engine != "memcached" {
                try writeConfiguration(key, port: port, passwords: passwords, settings: settings)
            }
            let pid = try NodeProcess.spawn(
                program,
                arguments: engines.arguments(
                    engine: engine, port: port, host: host, directory: nodeDirectory, settings: settings),
                log: nodeDirectory + "/node.log")
            try "\(pid)\n".write(toFile: nodeDirectory + "/pid", atomically: true, encoding: .utf8)
            running[key] = Running(
                pid: pid, engine: engine, port: port, reboot: reboot, passwords: passwords, settings: settings)
            readiness.set(key, false)
            logger.info(
                "cache node started",
                metadata: ["node": .string(key), "port": .stringConvertible(port), "program": .string(program)])
        } catch {
            logger.error("cache node did not start", metadata: ["node": .string(key), "error": "\(error)"])
        }
    }

    private func stop(_ key: String, _ node: Running) {
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

/// What each memcached cluster's configuration endpoint answers, read on NIO's threads.
final class DiscoveryState: Sendable {
    let clusters = Mutex<[String: (version: Int, nodes: [(host: String, port: Int)])]>([:])
}

/// Endpoints of real nodes: `--node-host` and the node's own port; address-only clusters keep
/// AWS-shaped names.
package struct ProcessNodeEndpoints: NodeEndpoints {
    let supervisor: NodeSupervisor
    let synthetic = SyntheticEndpoints()

    package init(supervisor: NodeSupervisor) {
        self.supervisor = supervisor
    }

    package func node(_ cluster: CacheClusterRecord, nodeId: String, region: String) -> (address: String, port: Int) {
        guard supervisor.runs(cluster) else { return synthetic.node(cluster, nodeId: nodeId, region: region) }
        return (supervisor.host, supervisor.ports.port(for: NodeSupervisor.key(cluster, nodeId: nodeId)))
    }

    package func configuration(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int) {
        // A running memcached cluster's configuration endpoint serves auto-discovery.
        guard supervisor.runs(cluster), cluster.engine == "memcached" else {
            return synthetic.configuration(cluster, region: region)
        }
        return (supervisor.host, supervisor.configurationPort(cluster))
    }

    package func replicationGroup(_ group: ReplicationGroupRecord, nodeGroup: String?, reader: Bool) -> (
        address: String, port: Int
    ) {
        synthetic.replicationGroup(group, nodeGroup: nodeGroup, reader: reader)
    }
}
