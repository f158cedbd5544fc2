import AWSModels
import CacheNodes
import CloudTrail
import Console
import ElastiCache
import Foundation
import Hummingbird
import IAM
import Logging
import Metrics
import NIOCore
import Notifications
import ObjectStore
import Persistence
import Prometheus
import ResourceTagging
import ServiceContract
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The composition root: opens the data directory, wires the services and runs the HTTP
/// application in a `ServiceGroup` that shuts down gracefully on SIGINT and SIGTERM.
package enum CacheTrailServer {
    package static let version = "0.1.0"

    /// What the server tells its operator once it listens.
    package struct Ready: Sendable {
        package var port: Int
        package var rootKey: AccessKeyRecord
        /// The default account and its key were created by this start.
        package var createdAccount: Bool
        /// The root user's console password, set by this start because it had none: shown once.
        package var rootPassword: String?
    }

    /// Every hosted service, wired to the embedded S3 and SNS where one service writes into
    /// another (ElastiCache exports, CloudTrail's files), the Tagging API over all of them.
    package static func handlers(
        blobs: EncryptedBlobStore, clock: any ServerClock, delivery: TrailDelivery, elastiCache: ElastiCacheSettings,
        capture: Bool = true
    ) -> [any ServiceHandler] {
        var elastiCache = elastiCache
        let exportWriter = ServiceDelivery(service: "elasticache.amazonaws.com", blobs: blobs)
        elastiCache.exporter = SnapshotExporter { bucket, key, bytes, account, sourceArn, tx in
            let now = clock.now()
            let written = try exportWriter.put(
                bucket: bucket, key: key, bytes: bytes, contentType: "application/octet-stream", contentEncoding: nil,
                account: account, sourceArn: sourceArn, kmsKeyId: nil, now: now, in: tx)
            // ElastiCache's own write is the bucket owner's data event, as AWS records it.
            if capture {
                try ServiceEventRecorder.recordServiceWrite(
                    service: "elasticache.amazonaws.com", bucket: bucket, owner: written.owner,
                    region: written.region, key: key, time: now, in: tx)
            }
        }
        let services: [any ServiceHandler] = [
            IAMService(),
            STSService(),
            CloudTrailService(delivery: delivery),
            ElastiCacheService(settings: elastiCache),
            S3Service(blobs: blobs, notifier: Self.bucketNotifier),
            SNSService(),
        ]
        // The Tagging API lists what the other services hold.
        let authorizer = Authorizer()
        return services + [
            TaggingService(sources: services) { call, handler, tx in
                try Gateway.authorize(call, handler: handler, authorizer: authorizer, in: tx)
            }
        ]
    }

    /// Runs until a shutdown signal; calls `onReady` once the port is bound.
    package static func run(
        _ configuration: ServerConfiguration, logger: Logger,
        onReady: @escaping @Sendable (Ready) -> Void
    ) async throws {
        guard configuration.isLoopback || configuration.allowRemote else {
            throw ServerError.remoteBindNeedsFlag(configuration.host)
        }
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        // Cache nodes: real processes when the programs are installed (or asked for), else
        // addresses. Their supervisor is made beside the store's opening, on the other core: it
        // signs a server certificate for the node endpoints at every start, and makes a fresh
        // directory's CA (a key pair and two fsynced files).
        let engines = NodeEngines()
        async let supervisor =
            configuration.realNodes ?? !engines.programs.isEmpty
            ? NodeSupervisor(
                engines: engines, portRange: configuration.nodePorts, host: configuration.nodeHost,
                dataDirectory: configuration.dataDirectory, logger: logger)
            : nil
        let data = try DataDirectory(configuration: configuration)
        let manualClock = configuration.manualClock ? try await ManualClock.resumed(from: data.store) : nil
        let clock: any ServerClock = manualClock ?? SystemClock()
        let (rootKey, created) = try await data.bootstrapDefaultAccount(now: clock.now())
        let started = StartupLines()
        let removed = try await data.collectGarbage()
        if removed > 0 {
            logger.info("removed unreferenced object files", metadata: ["files": .stringConvertible(removed)])
        }
        let delivery = TrailDelivery(
            interval: configuration.deliveryInterval, maxFileBytes: configuration.deliveryMaxFileBytes,
            ports: .embedded(blobs: data.blobs, capture: configuration.capture), external: configuration.externalBucket)
        let deliverer = Deliverer(
            store: data.store, delivery: delivery, now: { clock.now() }, logger: logger)
        let lifecycle = LifecycleExecutor(
            store: data.store, blobs: data.blobs, now: { clock.now() }, logger: logger,
            onAction: { [capture = configuration.capture] action, tx in
                if capture { try ServiceEventRecorder.record(.init(action), in: tx) }
            })
        let publicURL = PublicURL(host: configuration.host, port: configuration.port)
        let sender = NotificationSender(
            store: data.store, directory: configuration.dataDirectory, now: { clock.now() }, logger: logger,
            baseURL: { publicURL.value })
        let stateFiles = configuration.stateFiles
        let background = PeriodicService(tick: configuration.deliveryTick) {
            await lifecycle.runIfDue()
            // A pass writes a few files per trail and region; a backlog drains pass after pass.
            let delivered = await deliverer.runOnce()
            await sender.runOnce()
            Self.reportDiskUse(stateFiles: stateFiles)
            return !delivered.isEmpty
        }
        var elastiCache = configuration.elastiCache
        let nodes = try await supervisor
        if let supervisor = nodes {
            await supervisor.reportRecoveries { [store = data.store] recovered in
                let now = clock.now()
                do {
                    _ = try await store.write { tx in
                        for (cluster, nodes) in recovered {
                            try ElastiCacheService.recordRecovery(cluster: cluster, nodes: nodes, now: now, in: tx)
                        }
                    }
                } catch {
                    logger.error("node recovery not recorded", metadata: ["error": .string(String(describing: error))])
                }
            }
            await supervisor.reportFailovers { [store = data.store] members in
                let now = clock.now()
                do {
                    return try await store.write { tx in
                        try members.reduce(false) { done, member in
                            try ElastiCacheService.failOver(member: member, now: now, in: tx) || done
                        }
                    }
                } catch {
                    logger.error("failover not recorded", metadata: ["error": .string(String(describing: error))])
                    return false
                }
            }
            await supervisor.reportSlots { [store = data.store] group, slots in
                do {
                    try await store.write { tx in try ElastiCacheService.recordSlots(group: group, slots: slots, in: tx)
                    }
                } catch {
                    logger.error("slots not recorded", metadata: ["error": .string(String(describing: error))])
                }
            }
            elastiCache.endpoints = ProcessNodeEndpoints(supervisor: supervisor)
            elastiCache.nodesReady = { supervisor.nodesReady($0) }
            elastiCache.snapshotData = supervisor.snapshotData
            logger.info(
                "cache nodes are real processes",
                metadata: [
                    "programs": .string(engines.summary),
                    // What clients verify the TLS endpoints of transit-encrypted resources with.
                    "tls-ca": .string(supervisor.nodeTLS.authorityPath),
                ])
        } else {
            logger.info(
                "cache nodes are addresses only",
                metadata: [
                    "why": .string(
                        configuration.realNodes == false ? "--nodes none" : "no memcached or redis-server on PATH")
                ])
        }
        let handlers = Self.handlers(
            blobs: data.blobs, clock: clock, delivery: delivery, elastiCache: elastiCache,
            capture: configuration.capture)
        let elastiCacheService = handlers.compactMap { $0 as? ElastiCacheService }.first
        // The node processes follow the stored clusters: a pass reconciles them with what is
        // stored (a reboot's restart needs to see the cluster rebooting), then applies the
        // clusters' due transitions (a read of a cluster would; the supervisor does not wait for
        // one) and, when that changed something (nodes added, removed), reconciles again.
        // Nil when the store cannot be read: a pass then leaves the nodes as they are (an empty
        // answer would stop them all and remove their data).
        let storedClusters: @Sendable () async -> StoredNodes? = { [store = data.store] in
            let read = try? await store.read { tx in
                let clusters = try ElastiCacheService.storedClusters(in: tx)
                var settings: [String: NodeSettings] = [:]
                for cluster in clusters { settings[cluster.arn] = try ElastiCacheService.nodeSettings(cluster, in: tx) }
                // Serverless caches run as one-node clusters (and one-shard groups) of their own.
                let serverless = try ElastiCacheService.serverlessNodes(in: tx)
                return StoredNodes(
                    clusters: clusters + serverless.clusters,
                    groups: try ElastiCacheService.storedReplicationGroups(in: tx) + serverless.groups,
                    settings: settings.merging(serverless.settings) { stored, _ in stored },
                    snapshots: try ElastiCacheService.pendingSnapshots(in: tx),
                    snapshotKeys: try ElastiCacheService.snapshotDataKeys(in: tx),
                    globals: try ElastiCacheService.globalReplications(in: tx))
            }
            return read
        }
        let settleClusters: @Sendable ([CacheClusterRecord]) async -> Bool = { [store = data.store] clusters in
            let now = clock.now()
            guard let service = elastiCacheService, service.hasDueTransitions(clusters, now: now) else { return false }
            do {
                return try await store.write { tx in try service.settleClusters(now: now, in: tx) }
            } catch {
                logger.error("clusters not settled", metadata: ["error": .string(String(describing: error))])
                return false
            }
        }
        // Node passes come from the node service's tick and from clock moves: each reads the
        // stored state inside one serial run, so a pass never applies a state older than one
        // already applied (a stale read once started a removed node again, on a new port).
        let nodePasses = SerialPasses()
        let nodePass: @Sendable (NodeSupervisor) async -> Void = { supervisor in
            await nodePasses.run {
                guard let stored = await storedClusters() else { return }
                let failedOver = await supervisor.reconcile(
                    stored.clusters, groups: stored.groups, settings: stored.settings, snapshots: stored.snapshots,
                    snapshotKeys: stored.snapshotKeys, globals: stored.globals)
                if await settleClusters(stored.clusters) || failedOver, let settled = await storedClusters() {
                    await supervisor.reconcile(
                        settled.clusters, groups: settled.groups, settings: settled.settings,
                        snapshots: settled.snapshots, globals: settled.globals)
                }
            }
        }
        var gateway = Gateway(
            handlers: handlers, identities: data.identities, clock: clock, capture: configuration.capture)
        // A committed ElastiCache change starts a node pass at once (a new cluster's nodes start
        // without waiting for the next tick).
        let wake = NodePassTrigger()
        if nodes != nil {
            gateway.committed = { service in if service == "elasticache" { wake.fire() } }
        }
        if let supervisor = nodes {
            supervisor.verifyConnectTokens(
                { [gateway] group, user, token in await gateway.verifyConnect(groupArn: group, user: user, token: token)
                },
                now: { [clock] in clock.now() })
        }
        let console = ConsoleApp(
            identities: data.identities,
            port: { [gateway] request in
                var call = GatewayRequest(
                    method: request.method, path: request.path, query: request.query, headers: request.headers,
                    body: request.body, sourceIP: request.sourceIP)
                call.secure = request.secure
                return await gateway.respond(to: call, logger: logger)
            },
            now: { clock.now() }, regions: Partition.allRegions.sorted(), defaultRegion: "us-east-1", logger: logger)
        let bodyDeadlines = BodyDeadlines(timeout: 120, clock: clock)
        let responder = CacheTrailResponder(
            gateway: gateway, console: console,
            endpoints: InternalEndpoints(
                clock: clock, metrics: metrics, version: version,
                afterAdvance: {
                    bodyDeadlines.sweep()
                    // Nodes a move made due are started (and answer) before the clusters settle.
                    if let nodes { await nodePass(nodes) }
                    do {
                        try await manualClock?.save(to: data.store)
                    } catch {
                        logger.error("could not store the manual clock", metadata: ["error": "\(error)"])
                    }
                    await lifecycle.runOnce()
                    // Passes until nothing more is due, so a test sees every file the move made due.
                    var passes = 0
                    while passes < 10_000, await !deliverer.runOnce().isEmpty { passes += 1 }
                    passes = 0
                    while passes < 10_000, await sender.runOnce() > 0 { passes += 1 }
                },
                certificate: { try? sender.signingIdentity().certificatePEM },
                nodeAuthority: { [path = nodes?.nodeTLS.authorityPath] in
                    path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
                }, started: { started.printed }),
            maxBodyBytes: configuration.maxBodyBytes,
            clientAddress: try ClientAddress(trustedProxies: configuration.trustedProxies), bodyDeadlines: bodyDeadlines
        )
        let app = Application(
            responder: responder,
            server: .http1OnEventLoop(configuration: .init(idleTimeout: .seconds(60))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "cachetrail"),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { publicURL.bind(port: port) }
                let port = channel.localAddress?.port ?? configuration.port
                // A fresh account's console password is made once the port is bound: its scrypt
                // hash takes ~100 ms, so the API answers meanwhile and only the start-up lines,
                // which show the password, wait for it to be stored.
                Task { [identities = data.identities] in
                    let password: String?
                    do {
                        password = try await identities.resetRootPassword(account: rootKey.accountId, onlyIfUnset: true)
                    } catch {
                        logger.error("could not set the console root password", metadata: ["error": "\(error)"])
                        password = nil
                    }
                    onReady(Ready(port: port, rootKey: rootKey, createdAccount: created, rootPassword: password))
                    started.markPrinted()
                }
            },
            logger: logger)
        let sweeper = PeriodicService(tick: .seconds(1)) {
            bodyDeadlines.sweep()
            return false
        }
        // Each service named: ServiceLifecycle otherwise names it by `"\(service)"`, which
        // reflects the whole value (the application, its responder and every service behind
        // it) at each start.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app, serviceName: "api"), .init(service: background, serviceName: "background"),
            .init(service: sweeper, serviceName: "body-deadlines"),
        ]
        if let nodes {
            services.append(
                .init(
                    service: NodeService(supervisor: nodes, tick: .seconds(1), wake: wake, pass: nodePass),
                    serviceName: "nodes"))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A shutdown drains requests in flight, but not forever (a half-sent body holds one).
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        // Read events answered before the shutdown join the journal now, not at the next start.
        try? await data.store.flushReadEvents()
    }
}

extension CacheTrailServer {
    /// S3 event notifications go to SNS as `s3.amazonaws.com`, as the topic's policy allows.
    static let bucketNotifier = BucketNotifier(
        check: { topicArn, account, sourceArn, tx in
            let check = try ServiceNotifier(service: "s3.amazonaws.com").check(
                topicArn: topicArn, account: account, sourceArn: sourceArn, in: tx)
            return check == .allowed ? nil : "\(check)"
        },
        publish: { topicArn, account, sourceArn, message, now, tx in
            try ServiceNotifier(service: "s3.amazonaws.com").publish(
                topicArn: topicArn, account: account, sourceArn: sourceArn, message: message, now: now, in: tx)
        })

    /// `cachetrail_state_bytes`: the state store with its journal and the journal's index
    /// (database and WAL files).
    static func reportDiskUse(stateFiles: [String]) {
        // stat(2) directly: FileManager's attributes also look up the owner and group names,
        // reading /etc/passwd and /etc/group at every pass.
        let bytes = stateFiles.reduce(0) { total, file in
            var info = stat()
            return stat(file, &info) == 0 ? total + Int(info.st_size) : total
        }
        Gauge(label: "cachetrail_state_bytes").record(bytes)
    }
}

/// What the node processes follow: the stored clusters, replication groups and node settings.
struct StoredNodes: Sendable {
    var clusters: [CacheClusterRecord] = []
    var groups: [ReplicationGroupRecord] = []
    var settings: [String: NodeSettings] = [:]
    var snapshots: [PendingSnapshot] = []
    /// The data keys of every stored snapshot.
    var snapshotKeys: Set<String> = []
    var globals: [GlobalReplication] = []
}

/// This server's own base URL, for the links SNS messages carry; the port is known once bound.
/// Whether the start-up lines are printed (health answers `starting` until then).
final class StartupLines: Sendable {
    private let state = Mutex(false)
    var printed: Bool { state.withLock { $0 } }
    func markPrinted() { state.withLock { $0 = true } }
}

final class PublicURL: Sendable {
    private let state: Mutex<String>
    private let host: String

    init(host: String, port: Int) {
        // A wildcard bind is reached on loopback from this machine.
        self.host = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        state = Mutex("http://\(self.host):\(port)")
    }

    var value: String { state.withLock { $0 } }

    func bind(port: Int) {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        state.withLock { $0 = "http://\(host):\(port)" }
    }
}

package enum ServerError: Error, CustomStringConvertible {
    case remoteBindNeedsFlag(String)
    /// Another server (its pid, when known) holds the data directory.
    case dataDirectoryLocked(String, holder: Int32?)

    package var description: String {
        switch self {
        case .remoteBindNeedsFlag(let host):
            "refusing to bind \(host): it is not a loopback address; pass --allow-remote to serve other machines"
        case .dataDirectoryLocked(let directory, let holder):
            "the data directory \(directory) is in use by another cachetrail server"
                + (holder.map { " (pid \($0))" } ?? "")
                + "; stop it or pass another --data-dir"
        }
    }
}
