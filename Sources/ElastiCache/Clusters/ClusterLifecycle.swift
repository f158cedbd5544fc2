import Foundation

/// A cache cluster's status, as DescribeCacheClusters reports it.
package enum ClusterStatus: String, Sendable, Codable {
    case creating
    case available
    case modifying
    case rebooting = "rebooting cache cluster nodes"
    case deleting
}

/// Changes waiting for the maintenance window (or for the modification in progress).
package struct PendingChanges: Sendable, Codable, Equatable {
    package var numCacheNodes: Int?
    package var cacheNodeIdsToRemove: [String]?
    package var engineVersion: String?
    package var cacheNodeType: String?
    /// When they start applying; nil while a modification is already applying them.
    package var applyAt: Date?

    package var isEmpty: Bool {
        numCacheNodes == nil && cacheNodeIdsToRemove == nil && engineVersion == nil && cacheNodeType == nil
    }
}

/// The asynchronous lifecycle of a cluster, driven by the injected clock.
///
/// Legal transitions (each takes `duration`):
/// - `creating` → `available` (nodes and endpoints come up; CacheClusterCreateTime is set)
/// - `available` → `modifying` when pending changes reach their apply time, then → `available`
///   with the changes applied
/// - `rebooting cache cluster nodes` → `available`
/// - `deleting` → gone
package struct ClusterLifecycle: Sendable {
    package enum Outcome: Equatable {
        case unchanged
        case changed
        case deleted
    }

    package let duration: TimeInterval
    /// Whether the cluster's nodes answer: with real node processes, creating and rebooting
    /// end only once they do, never before.
    package let nodesReady: @Sendable (CacheClusterRecord) -> Bool

    package init(duration: TimeInterval, nodesReady: @escaping @Sendable (CacheClusterRecord) -> Bool = { _ in true }) {
        self.duration = duration
        self.nodesReady = nodesReady
    }

    /// A service event a transition produces (DescribeEvents), at the time it happened.
    package struct Event: Sendable, Equatable {
        package var date: Date
        package var message: String
    }

    /// Advances `cluster` through every transition due by `now`.
    package func settle(_ cluster: inout CacheClusterRecord, now: Date) -> Outcome {
        var events: [Event] = []
        return settle(&cluster, now: now, events: &events)
    }

    /// Whether a transition of `cluster` is due by `now` (``settle`` would change it). A listing
    /// asks first and copies only a record that is due out of the page it shares with the
    /// store's cache.
    package func isDue(_ cluster: CacheClusterRecord, now: Date) -> Bool {
        switch cluster.status {
        case .creating, .rebooting:
            guard let ready = cluster.readyAt, ready <= now else { return false }
            return nodesReady(cluster)
        case .modifying, .deleting:
            guard let ready = cluster.readyAt else { return false }
            return ready <= now
        case .available:
            guard let applyAt = cluster.pending?.applyAt else { return false }
            return applyAt <= now
        }
    }

    /// Whether `cluster` has no transition ahead at any time: available, with no change
    /// waiting for a maintenance window.
    package func isSettledForGood(_ cluster: CacheClusterRecord) -> Bool {
        cluster.status == .available && cluster.pending?.applyAt == nil
    }

    /// Advances `cluster` through every transition due by `now`, collecting their events.
    package func settle(_ cluster: inout CacheClusterRecord, now: Date, events: inout [Event]) -> Outcome {
        var outcome = Outcome.unchanged
        while isDue(cluster, now: now) {
            switch cluster.status {
            case .creating, .rebooting:
                guard let ready = cluster.readyAt else { return outcome }
                if cluster.status == .creating {
                    cluster.createTime = ready
                    events.append(Event(date: ready, message: "Cache cluster created"))
                } else {
                    for node in cluster.nodes where node.status == "rebooting" {
                        events.append(Event(date: ready, message: "Cache node \(node.id) restarted"))
                    }
                }
                cluster.status = .available
                cluster.readyAt = nil
                cluster.nodes = cluster.nodes.map {
                    var node = $0; node.status = "available"; return node
                }
            case .modifying:
                guard let ready = cluster.readyAt else { return outcome }
                apply(&cluster, at: ready, events: &events)
                cluster.status = .available
                cluster.readyAt = nil
            case .available:
                guard let applyAt = cluster.pending?.applyAt else { return outcome }
                cluster.status = .modifying
                cluster.pending?.applyAt = nil
                cluster.readyAt = applyAt.addingTimeInterval(duration)
            case .deleting:
                guard let ready = cluster.readyAt else { return outcome }
                events.append(Event(date: ready, message: "Cache cluster deleted"))
                return .deleted
            }
            outcome = .changed
        }
        return outcome
    }

    /// Starts a transient status that ends `duration` from `now`.
    package func begin(_ status: ClusterStatus, _ cluster: inout CacheClusterRecord, now: Date) {
        cluster.status = status
        cluster.readyAt = now.addingTimeInterval(duration)
    }

    private func apply(_ cluster: inout CacheClusterRecord, at time: Date, events: inout [Event]) {
        guard let pending = cluster.pending else { return }
        if let version = pending.engineVersion {
            cluster.engineVersion = version
            events.append(Event(date: time, message: "Cache cluster engine version upgraded to \(version)"))
        }
        if let nodeType = pending.cacheNodeType {
            cluster.nodeType = nodeType
            events.append(Event(date: time, message: "Cache cluster node type changed to \(nodeType)"))
        }
        if let count = pending.numCacheNodes {
            let removing = Set(pending.cacheNodeIdsToRemove ?? [])
            var nodes = cluster.nodes.filter { !removing.contains($0.id) }
            if nodes.count > count { nodes = Array(nodes.prefix(count)) }
            let gone = cluster.nodes.map(\.id).filter { id in !nodes.contains { $0.id == id } }
            if !gone.isEmpty {
                events.append(Event(date: time, message: "Removed cache nodes \(gone.joined(separator: ", "))"))
            }
            var next = (cluster.nodes.compactMap { Int($0.id) }.max() ?? 0) + 1
            while nodes.count < count {
                let node = CacheNodeRecord(id: CacheNodeRecord.id(number: next), createTime: time, status: "available")
                nodes.append(node)
                events.append(
                    Event(
                        date: time,
                        message:
                            "Added cache node \(node.id) in availability zone \(cluster.availabilityZone(of: node))"))
                next += 1
            }
            cluster.nodes = nodes
            cluster.numCacheNodes = count
        }
        cluster.pending = nil
    }
}
