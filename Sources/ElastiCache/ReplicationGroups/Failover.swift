import Foundation
import Persistence

extension ReplicationGroupRecord {
    /// Makes the first replica of node group `index` its primary and the primary a replica;
    /// answers the old and the new primary's member ids (nil without a replica).
    mutating func promoteReplica(inNodeGroup index: Int) -> (old: String, new: String)? {
        var members = nodeGroups[index].members
        guard let old = members.firstIndex(where: { $0.role == "primary" }),
            let new = members.firstIndex(where: { $0.role == "replica" })
        else { return nil }
        members[old].role = "replica"
        members[new].role = "primary"
        nodeGroups[index].members = members
        return (members[old].clusterId, members[new].clusterId)
    }
}

/// The events ElastiCache writes for a failover, in the order the TestFailover reference lists
/// them (events of one instant keep the order they are appended in).
enum FailoverEvents {
    static func record(
        group: String, nodeGroup: String, old: String, new: String, test: Bool, now: Date, scope: String,
        in tx: any StateWriter
    ) throws {
        let completed = "Failover from primary node \(old) to replica node \(new) completed"
        var events: [(source: String, type: String, message: String)] = []
        if test { events.append((group, "replication-group", "Test Failover API called for node group \(nodeGroup)")) }
        events += [
            (old, "cache-cluster", completed), (group, "replication-group", completed),
            (old, "cache-cluster", "Recovering cache nodes 0001"),
            (old, "cache-cluster", "Finished recovery for cache nodes 0001"),
        ]
        for event in events {
            try ServiceEvents.append(
                ServiceEventRecord(
                    sourceIdentifier: event.source, sourceType: event.type, message: event.message, date: now),
                tx: tx, scope: scope)
        }
    }
}

extension ElastiCacheService {
    /// Multi-AZ automatic failover: the primary process of the member cluster `failed` (its
    /// ARN) stopped answering, so its node group's first replica becomes primary and the events
    /// of a failover are written. Answers whether it failed over (automatic failover on and a
    /// replica to promote).
    package static func failOver(member failed: String, now: Date, in tx: any StateWriter) throws -> Bool {
        guard let arn = ElastiCacheARN(failed) else { return false }
        let scope = arn.scope
        guard
            let member = try tx.get(
                CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: scope, id: arn.id),
            let groupId = member.replicationGroupId,
            var group = try tx.get(
                ReplicationGroupRecord.self, kind: ReplicationGroupRecord.kind, scope: scope, id: groupId),
            group.automaticFailover,
            let index = group.nodeGroups.firstIndex(where: {
                $0.members.contains { $0.clusterId == member.id && $0.role == "primary" }
            }),
            let (old, new) = group.promoteReplica(inNodeGroup: index)
        else { return false }
        try tx.put(group, kind: ReplicationGroupRecord.kind, scope: scope, id: group.id)
        try FailoverEvents.record(
            group: group.id, nodeGroup: group.nodeGroups[index].id, old: old, new: new, test: false, now: now,
            scope: scope, in: tx)
        return true
    }
}

extension ElastiCacheService {
    /// The hash slots each shard of the cluster-mode group `arn` holds after its nodes moved
    /// slots (resharding): stored as its node groups' Slots.
    package static func recordSlots(group arn: String, slots: [String: String], in tx: any StateWriter) throws {
        guard let parsed = ElastiCacheARN(arn),
            var group = try tx.get(
                ReplicationGroupRecord.self, kind: ReplicationGroupRecord.kind, scope: parsed.scope, id: parsed.id)
        else { return }
        for index in group.nodeGroups.indices {
            if let held = slots[group.nodeGroups[index].id], !held.isEmpty { group.nodeGroups[index].slots = held }
        }
        try tx.put(group, kind: ReplicationGroupRecord.kind, scope: parsed.scope, id: group.id)
    }
}
