import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

extension ElastiCacheService {
    /// The events ElastiCache writes when it replaces failed nodes of the cluster `arn`.
    package static func recordRecovery(cluster arn: String, nodes: [String], now: Date, in tx: any StateWriter) throws {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7 else { return }
        let list = nodes.joined(separator: ",")
        for message in ["Recovering cache nodes \(list)", "Finished recovery for cache nodes \(list)"] {
            try ServiceEvents.append(
                ServiceEventRecord(
                    sourceIdentifier: String(parts[6]), sourceType: "cache-cluster", message: message, date: now),
                tx: tx, scope: "\(parts[4])/\(parts[3])")
        }
    }

    /// Whether any of `clusters` has a transition due at `now` (checked on copies, no write).
    package func hasDueTransitions(_ clusters: [CacheClusterRecord], now: Date) -> Bool {
        let lifecycle = ClusterLifecycle(
            duration: settings.lifecycleSeconds, nodesReady: settings.nodesReady ?? { _ in true })
        return clusters.contains { stored in
            var copy = stored
            return lifecycle.settle(&copy, now: now) != .unchanged
        }
    }

    /// Applies every stored cluster's due transitions (creating → available, a modification's
    /// added nodes, a deletion's end…) and writes their service events, as a read of it would:
    /// the background pass, so that what other parts act on (node processes) does not wait
    /// for someone to describe the cluster. Answers whether anything changed.
    package func settleClusters(now: Date, in tx: any StateWriter) throws -> Bool {
        guard let operation = model.operations["DescribeCacheClusters"] else { return false }
        let stored = try Self.storedClusters(in: tx)
        var scopes = Set<String>()
        for cluster in stored {
            // ARN: arn:aws:elasticache:REGION:ACCOUNT:cluster:ID
            let parts = cluster.arn.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count > 4 else { continue }
            scopes.insert("\(parts[4])/\(parts[3])")
        }
        var changed = false
        for scope in scopes.sorted() {
            let fields = scope.split(separator: "/").map(String.init)
            let call = OperationCall(
                model: model, operation: operation, input: .object([:]),
                principal: .service("elasticache.amazonaws.com", account: fields[0]), region: fields[1],
                requestID: "", sourceIP: "elasticache.amazonaws.com", userAgent: "elasticache.amazonaws.com", now: now)
            let clusters = CacheClusterOperations(context: ElastiCacheCall(call: call, tx: tx, settings: settings))
            let before = try tx.list(CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: scope)
            let after = try clusters.allClusters()
            changed = changed || before != after
        }
        return changed
    }
}
