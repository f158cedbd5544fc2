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
    /// What a node process should be: its program, settings and place in a replication group.
    struct NodeSpec: Equatable {
        var engine: String
        /// The reboot (its end time) the process is started for.
        var reboot: Date?
        /// The AUTH tokens the node accepts.
        var passwords: [String]
        /// Memory and engine settings from the node type and parameter group.
        var settings: NodeSettings?
        /// The port of the primary this node replicates; nil for a primary or a standalone node.
        var replicaOf: Int?
        /// A node of a cluster-mode group (Redis Cluster).
        var clustered = false
        /// The snapshot data a new node starts with (a restore).
        var restoreFrom: String? = nil
        /// The port a cluster-mode node names as its own (CLUSTER SLOTS, CLUSTER SHARDS): a
        /// serverless cache's node names its endpoint, so cluster clients stay on it.
        var announcePort: Int? = nil
    }

    struct Running {
        var pid: pid_t
        var port: Int
        var spec: NodeSpec
        /// When this process was started (wall time).
        var started = Date()
    }

    package nonisolated let engines: NodeEngines
    package nonisolated let ports: NodePorts
    package nonisolated let readiness = NodeReadiness()
    package nonisolated let host: String
    /// IAM-authenticated users by group, and how their tokens are verified (IAMAuthGate).
    let iamUsers = GroupIAMUsers()
    let connectVerifier = ConnectVerifier()

    /// How the group endpoints verify an IAM auth token (the server's gateway), and the
    /// server's time, by which IAM sign-ins expire.
    package nonisolated func verifyConnectTokens(
        _ verify: @escaping ConnectVerifier.Verify, now: @escaping @Sendable () -> Date
    ) {
        connectVerifier.set(verify, now: now)
    }

    /// The password of ``NodeEngines/supervisorUser`` on this process's Redis/Valkey nodes.
    let supervisorSecret = NodeEngines.randomSecret(bytes: 32)
    let directory: String
    let logger: Logger
    var running: [String: Running] = [:]
    private var previous: Task<Bool, Never>?
    /// Nodes restarted because their process died, not yet reported: (cluster ARN, node id).
    private var recoveries: [(cluster: String, node: String)] = []
    /// Memcached clusters' configuration endpoints by cluster ARN, and what they answer.
    var discovery: [String: DiscoveryEndpoint] = [:]
    nonisolated let discovered = DiscoveryState()
    /// Replication groups' endpoints by `<group ARN>/primary|reader|configuration`.
    var proxies: [String: NodeProxy] = [:]
    /// Memcached serverless caches' endpoints and reader endpoints (metering proxies to their
    /// node) by port key: `<node cluster ARN>/config` or `/reader`.
    var serverlessEndpoints: [String: NodeProxy] = [:]
    /// IAM gates in front of cluster-mode nodes, by `<node key>/gate` (NodeSupervisor+Gates).
    var nodeGates: [String: NodeProxy] = [:]
    /// Snapshots whose data will never be saved.
    nonisolated let unsaved = UnsavedSnapshots()
    /// Nodes started at least once by this server process.
    var started = Set<String>()
    /// Nodes that exited within ``quickExit`` of their start, how many times in a row, and when
    /// they may start again: one that cannot start (its port held) is retried after 1, 2, 4 and
    /// then every 8 seconds instead of every pass (each restart is also an ElastiCache event).
    var quickExits: [String: (count: Int, notBefore: Date)] = [:]
    static let quickExit: TimeInterval = 5
    /// Cluster-mode nodes as of the last pass (node key → group ARN): one that is no longer
    /// wanted is drained before it stops.
    var clusterNodes: [String: String] = [:]
    nonisolated let targets = GroupTargets()
    nonisolated let ecpus: ECPUBuckets
    /// In-transit encryption: the certificate endpoints present, and each owner's mode.
    package nonisolated let nodeTLS: NodeTLS
    nonisolated let transit = TransitModes()

    package init(engines: NodeEngines, portRange: ClosedRange<Int>, host: String, dataDirectory: String, logger: Logger)
        throws
    {
        self.engines = engines
        self.host = host
        self.directory = dataDirectory + "/nodes"
        self.logger = logger
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.ports = NodePorts(range: portRange, directory: directory)
        self.ecpus = ECPUBuckets(clock: connectVerifier)
        self.nodeTLS = try NodeTLS.loadOrCreate(directory: directory + "/tls", host: host, now: Date())
        if let ephemeral = NodePorts.localPortRange(),
            let risky = NodePorts.ephemeralBusPorts(of: portRange, ephemeral: ephemeral)
        {
            logger.warning(
                """
                node ports \(risky.lowerBound)-\(risky.upperBound) have cluster bus ports (+10000) in the kernel's \
                ephemeral range; a cluster-mode node there can fail to start while an outgoing connection holds \
                its bus port: choose --node-ports below \(ephemeral.lowerBound - NodePorts.busOffset)
                """)
        }
        Self.stopOrphans(in: directory)
    }

    /// The port of a memcached cluster's configuration endpoint (auto-discovery).
    package nonisolated func configurationPort(_ cluster: CacheClusterRecord) -> Int {
        ports.port(for: "\(cluster.arn)/config")
    }

    /// The port of a Memcached serverless cache's reader endpoint (`cluster` is its node cluster).
    package nonisolated func serverlessReaderPort(_ cluster: CacheClusterRecord) -> Int {
        ports.port(for: "\(cluster.arn)/reader")
    }

    /// The port of a replication group's endpoint: `primary`, `reader` or (cluster mode)
    /// `configuration`.
    package nonisolated func endpointPort(_ group: ReplicationGroupRecord, _ name: String) -> Int {
        ports.port(for: "\(group.arn)/\(name)")
    }

    /// The key of a node: its cluster's ARN and its id.
    package nonisolated static func key(_ cluster: CacheClusterRecord, nodeId: String) -> String {
        "\(cluster.arn)/\(nodeId)"
    }

    /// Whether this supervisor runs the nodes of `cluster` (a standalone cluster or a member of
    /// a replication group, of an engine whose program is installed); the others, and members
    /// stored before members knew their group's mode, keep address-only nodes.
    package nonisolated func runs(_ cluster: CacheClusterRecord) -> Bool {
        guard engines.programs[cluster.engine] != nil else { return false }
        return cluster.replicationGroupId == nil || cluster.groupClusterMode != nil
    }

    /// Whether this supervisor serves the endpoints of `group`.
    package nonisolated func runs(_ group: ReplicationGroupRecord) -> Bool {
        engines.programs[group.engine] != nil
    }

    /// Whether every node of `cluster` answers (always, for a cluster this supervisor does not run).
    package nonisolated func nodesReady(_ cluster: CacheClusterRecord) -> Bool {
        guard runs(cluster) else { return true }
        return cluster.nodes.allSatisfy { readiness.contains(Self.key(cluster, nodeId: $0.id)) }
    }

    /// Brings the processes in line with `clusters` and `groups` and waits (up to a few seconds)
    /// until new ones answer. Waits for a pass already under way first. Answers whether a
    /// reporter changed stored state (a failover), so the caller reconciles again.
    @discardableResult
    package func reconcile(
        _ clusters: [CacheClusterRecord], groups: [ReplicationGroupRecord] = [], settings: [String: NodeSettings] = [:],
        snapshots: [PendingSnapshot] = [], snapshotKeys: Set<String>? = nil, globals: [GlobalReplication] = []
    ) async -> Bool {
        let earlier = previous
        let pass = Task { [self] in
            _ = await earlier?.value
            if let snapshotKeys { self.removeUnusedSnapshotData(keeping: snapshotKeys) }
            return await self.pass(clusters, groups: groups, settings: settings, snapshots: snapshots, globals: globals)
        }
        previous = pass
        return await pass.value
    }

    private func pass(
        _ clusters: [CacheClusterRecord], groups: [ReplicationGroupRecord], settings: [String: NodeSettings],
        snapshots: [PendingSnapshot], globals: [GlobalReplication]
    ) async -> Bool {
        await saveSnapshots(snapshots)
        let liveGroups = groups.filter { runs($0) && $0.status != .deleting }
        let liveClusters = clusters.filter { runs($0) && $0.status != .deleting }
        transit.set(clusters: liveClusters, groups: liveGroups)
        let layout = ReplicationLayout(liveGroups, globals: globals)
        let clustered = layout.clusterModeNodes
        var wanted: [String: NodeSpec] = [:]
        for cluster in liveClusters {
            for node in cluster.nodes {
                let key = Self.key(cluster, nodeId: node.id)
                wanted[key] = NodeSpec(
                    engine: cluster.engine, reboot: cluster.status == .rebooting ? cluster.readyAt : nil,
                    passwords: (cluster.authTokens ?? []).map(\.value), settings: settings[cluster.arn],
                    replicaOf: layout.replicaOf[key].map { ports.port(for: $0) },
                    clustered: cluster.groupClusterMode == true, restoreFrom: cluster.restoreFrom,
                    announcePort: layout.serverlessEndpoint(of: key).map { ports.port(for: $0) }
                        ?? gatePort(of: key, clusterModeGroup: clustered[key], settings: settings[cluster.arn]))
            }
        }
        // A shard or replica leaving a cluster-mode group hands its slots (and keys) over
        // and is forgotten by the others before its process stops.
        await drainLeavingNodes(running.keys.filter { wanted[$0] == nil }, layout: layout)
        for key in quickExits.keys where wanted[key] == nil { quickExits[key] = nil }
        for (key, node) in running where wanted[key] == nil {
            stop(key, node)
            ports.release(key)
            // Gone with its cluster: its data and files too.
            try? FileManager.default.removeItem(atPath: nodeDirectory(key))
        }
        var failedPrimaries: [String] = []
        let failoverPrimaries = layout.failoverPrimaries
        for (key, want) in wanted.sorted(by: { $0.key < $1.key }) {
            if let current = running[key] {
                let rebooted = want.reboot != nil && want.reboot != current.spec.reboot
                let alive = NodeProcess.isAlive(current.pid)
                if alive && !rebooted {
                    if current.spec != want { applyLive(key, current, want) }
                    continue
                }
                stop(key, current)
                if !alive { noteExit(key, started: current.started) }
                if !alive && failoverPrimaries.contains(key) {
                    // Multi-AZ: a replica takes over; this node comes back as its replica.
                    logger.warning(
                        "primary cache node exited; failing over",
                        metadata: ["node": .string(key), "output": .string(lastOutput(of: key))])
                    failedPrimaries.append(Self.cluster(ofKey: key))
                    continue
                }
                if !alive {
                    logger.warning(
                        "cache node exited; restarting",
                        metadata: ["node": .string(key), "output": .string(lastOutput(of: key))])
                    if let slash = key.lastIndex(of: "/") {
                        recoveries.append((String(key[..<slash]), String(key[key.index(after: slash)...])))
                    }
                }
            }
            if let exits = quickExits[key], exits.notBefore > Date() { continue }
            start(key, want)
        }
        if !recoveries.isEmpty, let recoveryReporter {
            let recovered = Dictionary(grouping: recoveries, by: \.cluster).mapValues { $0.map(\.node).sorted() }
            recoveries = []
            await recoveryReporter(recovered)
        }
        var failedOver = false
        if !failedPrimaries.isEmpty, let failoverReporter {
            failedOver = await failoverReporter(failedPrimaries)
        }
        await reconcileDiscovery(liveClusters.filter { $0.engine == "memcached" })
        await reconcileGroupEndpoints(layout)
        await reconcileNodeGates(layout, clusters: liveClusters)
        // New processes need a moment to listen: ask each until it answers. A cluster-mode
        // node is ready once its cluster is formed, not before.
        let deadline = Date().addingTimeInterval(5)
        var answering = Set<String>()
        for (key, node) in running where !readiness.contains(key) || clustered[key] != nil {
            while !NodeProbe.answers(engine: node.spec.engine, host: host, port: node.port) {
                guard Date() < deadline, NodeProcess.isAlive(node.pid) else { break }
                try? await Task.sleep(for: .milliseconds(25))
            }
            if NodeProbe.answers(engine: node.spec.engine, host: host, port: node.port) { answering.insert(key) }
            if clustered[key] == nil { readiness.set(key, answering.contains(key)) }
        }
        await reconcileClusters(layout, answering: answering)
        clusterNodes = clustered
        return failedOver
    }

    /// The cluster ARN of a node key (`<cluster ARN>/<node id>`).
    nonisolated static func cluster(ofKey key: String) -> String {
        key.lastIndex(of: "/").map { String(key[..<$0]) } ?? key
    }

    /// AUTH as the supervisor's own user.
    var supervisorLogin: [String] { ["AUTH", NodeEngines.supervisorUser, supervisorSecret] }

    /// Told, within the pass that restarted them, which nodes came back after their process
    /// died (node ids by cluster ARN): ElastiCache records its recovery events.
    private var recoveryReporter: (@Sendable ([String: [String]]) async -> Void)?

    package func reportRecoveries(to reporter: @escaping @Sendable ([String: [String]]) async -> Void) {
        recoveryReporter = reporter
    }

    /// Told which member clusters (ARNs) lost their primary process: ElastiCache promotes a
    /// replica and records the failover; answers whether it did.
    private var failoverReporter: (@Sendable ([String]) async -> Bool)?

    package func reportFailovers(to reporter: @escaping @Sendable ([String]) async -> Bool) {
        failoverReporter = reporter
    }

    /// Told which slots each shard of a cluster-mode group holds after slots moved (the group's
    /// ARN; ranges by node group id): ElastiCache stores them.
    var slotsReporter: (@Sendable (String, [String: String]) async -> Void)?

    package func reportSlots(to reporter: @escaping @Sendable (String, [String: String]) async -> Void) {
        slotsReporter = reporter
    }

    /// Stops every node (the server is shutting down).
    package func stopAll() async {
        for (key, node) in running { stop(key, node) }
        for endpoint in discovery.values { await endpoint.stop() }
        discovery = [:]
        for proxy in proxies.values { await proxy.stop() }
        proxies = [:]
        for proxy in serverlessEndpoints.values { await proxy.stop() }
        serverlessEndpoints = [:]
        for gate in nodeGates.values { await gate.stop() }
        nodeGates = [:]
    }

    func nodeDirectory(_ key: String) -> String {
        directory + "/" + String(key.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
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
        let key = NodeSupervisor.key(cluster, nodeId: nodeId)
        // A gated node's endpoint is its gate (it takes IAM auth tokens).
        return (
            supervisor.host, supervisor.ports.existing(NodeSupervisor.gateKey(key)) ?? supervisor.ports.port(for: key)
        )
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
        // cachetrail itself serves the primary and reader endpoints, or the configuration one.
        guard supervisor.runs(group) else {
            return synthetic.replicationGroup(group, nodeGroup: nodeGroup, reader: reader)
        }
        let name = nodeGroup == nil ? "configuration" : reader ? "reader" : "primary"
        return (supervisor.host, supervisor.endpointPort(group, name))
    }

    package func serverlessReader(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int) {
        guard supervisor.runs(cluster) else { return synthetic.node(cluster, nodeId: "0001", region: region) }
        return (supervisor.host, supervisor.serverlessReaderPort(cluster))
    }
}
