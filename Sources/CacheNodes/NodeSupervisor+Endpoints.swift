import ElastiCache
import Foundation
import Logging
import NIOPosix
import Synchronization

/// The endpoints cachetrail serves itself in front of node processes: memcached clusters'
/// configuration endpoints (auto-discovery) and replication groups' primary and reader
/// endpoints (proxies that follow failovers).
extension NodeSupervisor {
    /// One configuration endpoint per running memcached cluster; its version rises whenever
    /// the cluster's nodes change.
    func reconcileDiscovery(_ all: [CacheClusterRecord]) async {
        await reconcileServerlessMemcached(all.filter { $0.id.hasPrefix(serverlessNodeIdPrefix) })
        let clusters = all.filter { !$0.id.hasPrefix(serverlessNodeIdPrefix) }
        let wanted = Set(clusters.map(\.arn))
        for (arn, endpoint) in discovery where !wanted.contains(arn) {
            await endpoint.stop()
            discovery[arn] = nil
            ports.release("\(arn)/config")
            _ = discovered.clusters.withLock { $0.removeValue(forKey: arn) }
        }
        for cluster in clusters {
            // With in-transit encryption a node's endpoint is its gate, which speaks TLS.
            let behindGates = gated(cluster)
            let nodes = cluster.nodes.map {
                let key = Self.key(cluster, nodeId: $0.id)
                return (host: host, port: ports.port(for: behindGates ? Self.gateKey(key) : key))
            }
            let first = cluster.nodes.first.map { ports.port(for: Self.key(cluster, nodeId: $0.id)) }
            discovered.clusters.withLock { state in
                let previous = state[cluster.arn]
                let same = previous.map { $0.nodes.map(\.port) == nodes.map(\.port) } ?? false
                state[cluster.arn] = (same ? previous?.version ?? 1 : (previous?.version ?? 0) + 1, nodes, first)
            }
            guard discovery[cluster.arn] == nil else { continue }
            let arn = cluster.arn
            do {
                discovery[arn] = try await DiscoveryEndpoint.start(
                    group: MultiThreadedEventLoopGroup.singleton, host: host, port: configurationPort(cluster),
                    tls: tls(arn)
                ) { [discovered] in
                    discovered.clusters.withLock { $0[arn] } ?? (1, [], nil)
                }
            } catch {
                logger.error(
                    "configuration endpoint did not start", metadata: ["cluster": .string(arn), "error": "\(error)"])
            }
        }
    }

    /// A Memcached serverless cache's endpoint (where its configuration endpoint would be) and
    /// reader endpoint: proxies to its node that charge the cache's ECPUs and throttle beyond its
    /// maximum. No auto-discovery: a serverless cache is one endpoint.
    private func reconcileServerlessMemcached(_ caches: [CacheClusterRecord]) async {
        let wanted = Set(caches.map(\.arn))
        for (key, proxy) in serverlessEndpoints where !wanted.contains(Self.cluster(ofKey: key)) {
            await proxy.stop()
            serverlessEndpoints[key] = nil
            ports.release(key)
            ecpus.remove(Self.cluster(ofKey: key))
        }
        for cache in caches {
            let node = Self.key(cache, nodeId: "0001")
            let meter = ecpus.bucket(cache.arn)
            meter.setLimit(running[node]?.spec.settings?.ecpuPerSecond)
            let endpoints = [
                "\(cache.arn)/config": configurationPort(cache), "\(cache.arn)/reader": serverlessReaderPort(cache),
            ]
            for (key, port) in endpoints where serverlessEndpoints[key] == nil {
                do {
                    serverlessEndpoints[key] = try await NodeProxy.start(
                        group: MultiThreadedEventLoopGroup.singleton, host: host, port: port, tls: tls(cache.arn),
                        meter: meter, memcached: true
                    ) { [ports] in ports.port(for: node) }
                } catch {
                    logger.error(
                        "serverless endpoint did not start", metadata: ["endpoint": .string(key), "error": "\(error)"])
                }
            }
        }
    }

    /// A primary and a reader endpoint per replication group without cluster mode. A new
    /// connection to the primary endpoint goes to the current primary; one to the reader
    /// endpoint to the next replica (the primary when there is none). When the primary moves,
    /// connections to the old one are closed, so clients reconnect to the new one.
    func reconcileGroupEndpoints(_ layout: ReplicationLayout) async {
        let wanted = Set(layout.groups.map(\.arn))
        for (key, proxy) in proxies where !wanted.contains(Self.cluster(ofKey: key)) {
            await proxy.stop()
            proxies[key] = nil
            ports.release(key)
            targets.remove(Self.cluster(ofKey: key))
            ecpus.remove(Self.cluster(ofKey: key))
        }
        for group in layout.groups {
            // Cluster mode: one configuration endpoint that spreads connections over the
            // primaries (a cluster client asks any of them for CLUSTER SLOTS).
            let primary = group.clusterMode ? nil : group.primary.map { ports.port(for: $0) }
            let replicas = (group.clusterMode ? group.shards.compactMap(\.primary) : group.replicas).map {
                ports.port(for: $0)
            }
            let moved = targets.update(group.arn, primary: primary, replicas: replicas)
            let users = group.primary.flatMap { running[$0]?.spec.settings?.users } ?? []
            iamUsers.set(group.arn, Set(users.filter(\.iam).map(\.name)))
            let serverless = group.serverless
            let meter = serverless ? ecpus.bucket(group.arn) : nil
            meter?.setLimit(group.primary.flatMap { running[$0]?.spec.settings?.ecpuPerSecond })
            if moved && !group.clusterMode {
                proxies["\(group.arn)/primary"]?.disconnect(exceptTo: Set(primary.map { [$0] } ?? []))
                proxies["\(group.arn)/reader"]?.disconnect(
                    exceptTo: Set(replicas.isEmpty ? primary.map { [$0] } ?? [] : replicas))
            }
            // A serverless cache's reader endpoint is metered as its endpoint is.
            let names = group.clusterMode ? ["configuration"] + (serverless ? ["reader"] : []) : ["primary", "reader"]
            for name in names {
                let key = "\(group.arn)/\(name)"
                guard proxies[key] == nil else { continue }
                let arn = group.arn
                do {
                    proxies[key] = try await NodeProxy.start(
                        group: MultiThreadedEventLoopGroup.singleton, host: host, port: ports.port(for: key),
                        tls: tls(arn), gate: iamGate(arn), meter: meter
                    ) { [targets] in
                        name == "primary" ? targets.primary(arn) : targets.reader(arn)
                    }
                } catch {
                    logger.error(
                        "replication group endpoint did not start",
                        metadata: ["endpoint": .string(key), "error": "\(error)"])
                }
            }
        }
    }
}

/// What each memcached cluster's configuration endpoint answers, read on NIO's threads.
final class DiscoveryState: Sendable {
    let clusters = Mutex<[String: (version: Int, nodes: [(host: String, port: Int)], first: Int?)]>([:])
}

/// Serverless caches' ECPU buckets by their node group's ARN.
final class ECPUBuckets: Sendable {
    private let buckets = Mutex<[String: ECPUBucket]>([:])
    /// The server's time, which refills the buckets.
    private let clock: ConnectVerifier

    init(clock: ConnectVerifier) {
        self.clock = clock
    }

    func bucket(_ arn: String) -> ECPUBucket {
        buckets.withLock { buckets in
            if let bucket = buckets[arn] { return bucket }
            let bucket = ECPUBucket(now: { [clock] in clock.now() })
            buckets[arn] = bucket
            return bucket
        }
    }

    func remove(_ arn: String) { _ = buckets.withLock { $0.removeValue(forKey: arn) } }
}

/// The node ports behind each replication group's endpoints, read on NIO's threads when a
/// client connects.
final class GroupTargets: Sendable {
    private let groups = Mutex<[String: (primary: Int?, replicas: [Int], next: Int)]>([:])

    /// Sets a group's nodes; answers whether its primary or replicas changed.
    func update(_ arn: String, primary: Int?, replicas: [Int]) -> Bool {
        groups.withLock { groups in
            let previous = groups[arn]
            groups[arn] = (primary, replicas, previous?.next ?? 0)
            return previous.map { $0.primary != primary || $0.replicas != replicas } ?? false
        }
    }

    func remove(_ arn: String) {
        _ = groups.withLock { $0.removeValue(forKey: arn) }
    }

    func primary(_ arn: String) -> Int? {
        groups.withLock { $0[arn]?.primary }
    }

    /// The next replica in turn, or the primary when the group has none.
    func reader(_ arn: String) -> Int? {
        groups.withLock { groups in
            guard let group = groups[arn] else { return nil }
            guard !group.replicas.isEmpty else { return group.primary }
            groups[arn]?.next = group.next &+ 1
            return group.replicas[group.next % group.replicas.count]
        }
    }
}
