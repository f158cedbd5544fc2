import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

extension CacheClusterOperations {
    func requireAvailable(_ cluster: CacheClusterRecord) throws {
        guard cluster.status == .available else {
            throw call.error(
                .invalidCacheClusterStateFault,
                "Cache cluster \(cluster.id) is not in available state (it is \(cluster.status.rawValue)).")
        }
    }

    /// Members of a replication group change through the group's operations.
    func requireStandalone(_ cluster: CacheClusterRecord) throws {
        if let group = cluster.replicationGroupId {
            throw call.error(
                .invalidCacheClusterStateFault,
                "Cache cluster \(cluster.id) is a member of replication group \(group); change it through the replication group."
            )
        }
    }

    func modify() throws -> ShapeValue {
        var cluster = try cluster(try call.required(.cacheClusterId))
        try requireStandalone(cluster)
        try requireAvailable(cluster)
        var pending = cluster.pending ?? PendingChanges()
        if let count = call.int(.numCacheNodes), count != cluster.numCacheNodes {
            try pendingNodeCount(count, &pending, cluster)
        } else if call[.cacheNodeIdsToRemove] != nil {
            throw call.error(
                .invalidParameterCombinationException,
                "CacheNodeIdsToRemove requires NumCacheNodes lower than the current count.")
        }
        if let version = call.string(.engineVersion), version != cluster.engineVersion {
            pending.engineVersion = try ClusterValidation.upgrade(
                engine: cluster.engine, from: cluster.engineVersion, to: version
            )
            .version
        }
        if let nodeType = call.string(.cacheNodeType), nodeType != cluster.nodeType {
            guard cluster.engine != "memcached" else {
                throw call.error(
                    .invalidParameterCombinationException, "Memcached clusters cannot change their node type.")
            }
            pending.cacheNodeType = try ClusterValidation.nodeType(nodeType)
        }
        try applyImmediateChanges(&cluster)
        if !pending.isEmpty {
            if call[.applyImmediately]?.boolValue == true {
                pending.applyAt = nil
                cluster.pending = pending
                lifecycle.begin(.modifying, &cluster, now: call.now)
            } else {
                pending.applyAt = MaintenanceWindow(cluster.maintenanceWindow)?.nextStart(after: call.now)
                cluster.pending = pending
            }
        }
        try save(cluster)
        return .object(["CacheCluster": render(cluster)])
    }

    private func pendingNodeCount(_ count: Int, _ pending: inout PendingChanges, _ cluster: CacheClusterRecord) throws {
        guard cluster.engine == "memcached" else {
            throw call.error(
                .invalidParameterCombinationException,
                "NumCacheNodes can only be modified for Memcached clusters; use a replication group to add replicas.")
        }
        guard count >= 1, count <= settings.nodesPerMemcachedCluster else {
            throw AWSError.invalidParameterValue(
                "NumCacheNodes must be between 1 and \(settings.nodesPerMemcachedCluster).")
        }
        let removing = context.strings(.cacheNodeIdsToRemove) ?? []
        if count < cluster.numCacheNodes {
            let known = Set(cluster.nodes.map(\.id))
            guard removing.count == cluster.numCacheNodes - count, Set(removing).isSubset(of: known),
                Set(removing).count == removing.count
            else {
                throw AWSError.invalidParameterValue(
                    "To reduce NumCacheNodes from \(cluster.numCacheNodes) to \(count), CacheNodeIdsToRemove must name \(cluster.numCacheNodes - count) existing cache node ids."
                )
            }
            pending.cacheNodeIdsToRemove = removing
        } else if !removing.isEmpty {
            throw call.error(
                .invalidParameterCombinationException, "CacheNodeIdsToRemove cannot be given when adding nodes.")
        }
        pending.numCacheNodes = count
    }

    /// Changes AWS applies at once, whatever ApplyImmediately says.
    private func applyImmediateChanges(_ cluster: inout CacheClusterRecord) throws {
        if let window = call.string(.preferredMaintenanceWindow) {
            cluster.maintenanceWindow = try ClusterValidation.maintenanceWindow(window)
        }
        if let flag = call[.autoMinorVersionUpgrade]?.boolValue {
            cluster.autoMinorVersionUpgrade = flag
        }
        if let limit = call.int(.snapshotRetentionLimit) { cluster.snapshotRetentionLimit = limit }
        if let window = call.string(.snapshotWindow) { cluster.snapshotWindow = window }
        cluster.logDelivery = try LogDelivery.apply(call, engine: cluster.engine, to: cluster.logDelivery)
        if let groups = context.strings(.securityGroupIds) { cluster.securityGroupIds = groups }
        if let groups = context.strings(.cacheSecurityGroupNames) { cluster.cacheSecurityGroupNames = groups }
        if let group = call.string(.cacheParameterGroupName) {
            let family = EngineCatalog.version(engine: cluster.engine, version: cluster.engineVersion)?.family ?? ""
            try checkParameterGroup(group, family: family)
            cluster.parameterGroup = group
        }
        if let topic = call.string(.notificationTopicArn) { cluster.notificationTopicArn = topic }
        if call.string(.authToken) != nil || call.string(.authTokenUpdateStrategy) != nil {
            guard cluster.engine != "memcached" else {
                throw call.error(.invalidParameterCombinationException, "AuthToken is not supported for Memcached.")
            }
            if call.string(.authToken) != nil && !cluster.transitEncryptionEnabled {
                throw AWSError.invalidParameterValue(TransitEncryption.authTokenNeedsIt)
            }
            cluster.updateAuthTokens(
                strategy: call.string(.authTokenUpdateStrategy) ?? "SET", token: call.string(.authToken))
        }
    }

    func delete() throws -> ShapeValue {
        var cluster = try cluster(try call.required(.cacheClusterId))
        try requireAvailable(cluster)
        if cluster.replicationGroupId != nil { return try deleteReplica(cluster) }
        if let name = call.string(.finalSnapshotIdentifier) {
            try SnapshotOperations(context: context).finalSnapshot(name, of: cluster)
        }
        lifecycle.begin(.deleting, &cluster, now: call.now)
        try save(cluster)
        return .object(["CacheCluster": render(cluster)])
    }

    /// A read replica of a group without cluster mode can be deleted on its own, unless the
    /// group is Multi-AZ or it is the last replica under automatic failover, as AWS documents.
    private func deleteReplica(_ cluster: CacheClusterRecord) throws -> ShapeValue {
        let groups = ReplicationGroupOperations(context: context)
        var group = try groups.group(cluster.replicationGroupId ?? "")
        try groups.requireAvailable(group)
        let members = group.nodeGroups.first?.members ?? []
        let replicas = members.filter { $0.role == "replica" }
        guard !group.clusterMode, replicas.contains(where: { $0.clusterId == cluster.id }) else {
            throw call.error(
                .invalidCacheClusterStateFault,
                "Cache cluster \(cluster.id) is \(group.clusterMode ? "in a cluster-mode group" : "the primary") of replication group \(group.id); change it through the replication group."
            )
        }
        if group.multiAZ || (replicas.count == 1 && group.automaticFailover) {
            throw call.error(
                .invalidCacheClusterStateFault,
                group.multiAZ
                    ? "Cache cluster \(cluster.id) is in a node group of \(group.id) with Multi-AZ enabled."
                    : "Cache cluster \(cluster.id) is the last read replica of \(group.id), which has automatic failover enabled."
            )
        }
        if call.string(.finalSnapshotIdentifier) != nil {
            throw call.error(
                .invalidParameterCombinationException, "A read replica cannot be deleted with a final snapshot.")
        }
        group.nodeGroups[0].members.removeAll { $0.clusterId == cluster.id }
        if group.snapshottingClusterId == cluster.id { group.snapshottingClusterId = nil }
        try groups.removeMember(cluster.id)
        groups.begin(.modifying, &group)
        try groups.save(group)
        return .object(["CacheCluster": render(try self.cluster(cluster.id))])
    }

    func reboot() throws -> ShapeValue {
        var cluster = try cluster(try call.required(.cacheClusterId))
        try requireAvailable(cluster)
        let ids = context.strings(.cacheNodeIdsToReboot) ?? []
        let unknown = ids.filter { id in !cluster.nodes.contains { $0.id == id } }
        guard !ids.isEmpty, unknown.isEmpty else {
            throw AWSError.invalidParameterValue("Cache node ids not found: \(unknown.joined(separator: ", ")).")
        }
        lifecycle.begin(.rebooting, &cluster, now: call.now)
        // A reboot applies the parameter group's static changes.
        cluster.parameterApplyStatus = nil
        cluster.nodes = cluster.nodes.map { node in
            var node = node
            if ids.contains(node.id) { node.status = "rebooting" }
            return node
        }
        try save(cluster)
        return .object(["CacheCluster": render(cluster)])
    }
}
