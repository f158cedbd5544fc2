import ElastiCache
import Synchronization

/// In-transit encryption modes by the ARN of the replication group or standalone cluster whose
/// endpoints take connections: `required` or `preferred` as stored; every serverless cache
/// `required` (AWS's serverless caches speak TLS only). Set each pass, read on NIO's threads
/// when a client connects.
final class TransitModes: Sendable {
    private let modes = Mutex<[String: String]>([:])

    func set(clusters: [CacheClusterRecord], groups: [ReplicationGroupRecord]) {
        var all: [String: String] = [:]
        for group in groups {
            let serverless = group.id.hasPrefix(serverlessNodeIdPrefix)
            if let mode = serverless ? "required" : group.transit.mode { all[group.arn] = mode }
        }
        for cluster in clusters where cluster.replicationGroupId == nil {
            let serverless = cluster.id.hasPrefix(serverlessNodeIdPrefix)
            if let mode = serverless ? "required" : cluster.transit.mode { all[cluster.arn] = mode }
        }
        modes.withLock { $0 = all }
    }

    func mode(_ arn: String) -> String? { modes.withLock { $0[arn] } }
}

extension NodeSupervisor {
    /// How the endpoints of `owner` (a replication group's or standalone cluster's ARN) take
    /// their next connection.
    nonisolated func tls(_ owner: String) -> NodeTLS.Mode {
        { [transit, nodeTLS, supervisorSecret] in
            nodeTLS.endpoint(transit.mode(owner), supervisorSecret: supervisorSecret)
        }
    }
}
