import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Snapshots: manual (CreateSnapshot, CopySnapshot, a delete's FinalSnapshotIdentifier),
/// automatic (SnapshotRetentionLimit), DescribeSnapshots and DeleteSnapshot. Restores read
/// them through ``restoreSource()``.
struct SnapshotOperations {
    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    /// Takes `name` of a cluster being deleted (or of a replication group's primary).
    func finalSnapshot(_ name: String, of cluster: CacheClusterRecord, group: ReplicationGroupRecord? = nil) throws {
        let id = try ClusterValidation.clusterId(name, parameter: "FinalSnapshotIdentifier", maxLength: 255)
        guard cluster.engine != "memcached" else {
            throw call.error(
                .invalidParameterCombinationException,
                "FinalSnapshotIdentifier is not supported for Memcached clusters.")
        }
        _ = try insert(id, of: cluster, group: group, source: "manual", tags: nil)
    }

    /// The snapshot a Create call restores from (`SnapshotName`), which must be available.
    func restoreSource() throws -> SnapshotRecord? {
        if call[.snapshotArns] != nil {
            throw AWSError.invalidParameterValue("Seeding from S3 (SnapshotArns) is not served by this server.")
        }
        guard let name = call.string(.snapshotName) else { return nil }
        let source = try snapshot(name)
        guard source.status == .available else {
            throw call.error(.invalidSnapshotStateFault, "Snapshot \(source.name) is not available.")
        }
        return source
    }

    func describe() throws -> ShapeValue {
        let maxRecords = call.int(.maxRecords) ?? 50
        guard (20...50).contains(maxRecords) else {
            throw AWSError.invalidParameterValue("The parameter MaxRecords must be between 20 and 50.")
        }
        try requireOneSource()
        try takeAutomatic()
        var snapshots = try table.list()
        // Naming a cluster or group that neither exists nor has snapshots (a deleted one's final
        // snapshot stays) is its not-found fault, not an empty page.
        if let id = call.string(.cacheClusterId)?.lowercased(), !snapshots.contains(where: { $0.cacheClusterId == id })
        {
            _ = try clusters.cluster(id)
        }
        if let id = call.string(.replicationGroupId)?.lowercased(),
            !snapshots.contains(where: { $0.replicationGroupId == id })
        {
            _ = try ReplicationGroupOperations(context: context).group(id)
        }
        if let name = call.string(.snapshotName) {
            snapshots = snapshots.filter { $0.name == name.lowercased() }
            if snapshots.isEmpty { throw table.notFound(name) }
        }
        if let id = call.string(.cacheClusterId) {
            snapshots = snapshots.filter { $0.cacheClusterId == id.lowercased() }
        }
        if let id = call.string(.replicationGroupId) {
            snapshots = snapshots.filter { $0.replicationGroupId == id.lowercased() }
        }
        if let source = call.string(.snapshotSource) { snapshots = snapshots.filter { $0.source == source } }
        let (page, next) = try Marker.page(snapshots, id: \.name, marker: call.string(.marker), maxRecords: maxRecords)
        return .object(["Snapshots": .list(page.map(render)), "Marker": next.map(ShapeValue.string)])
    }

    var table: ResourceTable<SnapshotRecord> { context.table(SnapshotRecord.self) }

    /// Throws SnapshotAlreadyExists when `id` is taken.
    func requireNew(_ id: String) throws {
        if try table.find(id) != nil {
            throw call.error(.snapshotAlreadyExistsFault, "Snapshot \(id) already exists.")
        }
    }

    /// One per node (the cluster's, or the group's primary), or one per shard with cluster mode.
    func nodeSnapshots(_ snapshot: SnapshotRecord) -> [ShapeValue] {
        // AWS knows the size once the snapshot is taken.
        // While it is taken, AWS knows neither its size nor its time (its examples of
        // CreateSnapshot); a cluster-mode one names only each shard until then.
        // A copy is of data already taken.
        let taken = snapshot.status != .creating || snapshot.rdbOf != nil
        let size = ShapeValue.string(taken ? "0 MB" : "")
        let snapshotTime = taken ? ShapeValue.timestamp(snapshot.created) : nil
        guard let shards = snapshot.origin?.shards else {
            return [
                .object([
                    "CacheNodeId": .string("0001"), "CacheSize": size,
                    "CacheNodeCreateTime": snapshot.clusterCreateTime.map(ShapeValue.timestamp),
                    "SnapshotCreateTime": snapshotTime,
                ])
            ]
        }
        let clusters = snapshot.origin?.shardClusters ?? []
        return shards.enumerated().map { index, shard in
            .object([
                "NodeGroupId": .string(shard), "CacheSize": size, "SnapshotCreateTime": snapshotTime,
                // The shard's primary as it was when the snapshot was taken (older snapshots: unknown).
                "CacheClusterId": taken && clusters.indices.contains(index) && !clusters[index].isEmpty
                    ? .string(clusters[index]) : nil,
                "CacheNodeId": taken ? .string("0001") : nil,
                "CacheNodeCreateTime": taken ? snapshot.clusterCreateTime.map(ShapeValue.timestamp) : nil,
            ])
        }
    }

    func render(_ snapshot: SnapshotRecord) -> ShapeValue {
        .object([
            "SnapshotName": .string(snapshot.name),
            "ReplicationGroupId": snapshot.replicationGroupId.map(ShapeValue.string),
            "CacheClusterId": snapshot.cacheClusterId.map(ShapeValue.string),
            "SnapshotStatus": .string(snapshot.status.rawValue),
            "SnapshotSource": .string(snapshot.source), "CacheNodeType": .string(snapshot.nodeType),
            "Engine": .string(snapshot.engine), "EngineVersion": .string(snapshot.engineVersion),
            // A cluster-mode snapshot counts shards, not nodes.
            "NumCacheNodes": snapshot.origin?.shards == nil ? .integer(Int64(snapshot.numCacheNodes)) : nil,
            "CacheClusterCreateTime": snapshot.clusterCreateTime.map(ShapeValue.timestamp),
            "PreferredMaintenanceWindow": .string(snapshot.maintenanceWindow), "Port": .integer(Int64(snapshot.port)),
            "CacheParameterGroupName": .string(snapshot.parameterGroup), "ARN": .string(snapshot.arn),
            "ReplicationGroupDescription": snapshot.origin?.groupDescription.map(ShapeValue.string),
            "PreferredAvailabilityZone": snapshot.origin.map { .string($0.preferredAvailabilityZone) },
            "CacheSubnetGroupName": snapshot.origin?.subnetGroup.map(ShapeValue.string),
            "VpcId": snapshot.origin?.subnetGroup == nil ? nil : .string(context.vpcId),
            "AutoMinorVersionUpgrade": snapshot.origin.map { .boolean($0.autoMinorVersionUpgrade) },
            "SnapshotRetentionLimit": snapshot.origin.map { .integer(Int64($0.snapshotRetentionLimit)) },
            "SnapshotWindow": snapshot.origin.map {
                .string($0.snapshotWindow ?? ReplicationGroupRecord.defaultSnapshotWindow)
            },
            "AutomaticFailover": snapshot.origin?.automaticFailover.map { .string($0 ? "enabled" : "disabled") },
            "NumNodeGroups": snapshot.origin?.numNodeGroups.map { .integer(Int64($0)) },
            "Durability": snapshot.origin?.durability.map(ShapeValue.string),
            "TopicArn": snapshot.origin?.topicArn.map(ShapeValue.string),
            "NodeSnapshots": .list(nodeSnapshots(snapshot)),
        ])
    }
}
