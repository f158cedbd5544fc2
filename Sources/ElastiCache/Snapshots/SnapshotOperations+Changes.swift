import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// CreateSnapshot, CopySnapshot, DeleteSnapshot and the automatic daily snapshots that
/// SnapshotRetentionLimit asks for.
extension SnapshotOperations {
    /// A snapshot is of a cluster or of a replication group, never both.
    func requireOneSource() throws {
        if call.string(.cacheClusterId) != nil && call.string(.replicationGroupId) != nil {
            throw call.error(
                .invalidParameterCombinationException, "Cannot specify both CacheClusterId and ReplicationGroupId.")
        }
    }

    func snapshot(_ name: String) throws -> SnapshotRecord {
        guard let snapshot = try table.find(name.lowercased()) else { throw table.notFound(name) }
        return snapshot
    }

    /// A new snapshot of `cluster` (or of a replication group, through its primary).
    func take(
        _ name: String, of cluster: CacheClusterRecord, group: ReplicationGroupRecord?, source: String
    ) throws -> SnapshotRecord {
        // Automatic snapshots are named `automatic.<source>-<time>`, which callers may not use.
        let id =
            source == "automated"
            ? name : try ClusterValidation.clusterId(name, parameter: "SnapshotName", maxLength: 255)
        return try insert(id, of: cluster, group: group, source: source, tags: try TagOperations.tags(call[.tags]))
    }

    /// Stores a new `creating` snapshot `id` of `cluster` (of `group`, through its primary).
    func insert(
        _ id: String, of cluster: CacheClusterRecord, group: ReplicationGroupRecord?, source: String,
        tags: [TagRecord]?
    ) throws -> SnapshotRecord {
        try requireNew(id)
        var snapshot = SnapshotRecord(
            name: id, arn: context.arn(SnapshotRecord.arnType, id),
            cacheClusterId: group == nil ? cluster.id : nil, replicationGroupId: group?.id, source: source,
            status: .creating, readyAt: context.readyAt,
            engine: cluster.engine, engineVersion: cluster.engineVersion, nodeType: cluster.nodeType,
            numCacheNodes: cluster.numCacheNodes, parameterGroup: cluster.parameterGroup, port: cluster.port,
            maintenanceWindow: cluster.maintenanceWindow, clusterCreateTime: cluster.createTime, created: call.now,
            tagList: tags, origin: .init(cluster: cluster, group: group))
        // The node's data is saved (its RDB) unless the group shards it (cluster mode).
        if let group, group.clusterMode {
            snapshot.shardNodes = group.nodeGroups.compactMap { nodeGroup in
                nodeGroup.members.first { $0.role == "primary" }.map { "\(context.arn("cluster", $0.clusterId))/0001" }
            }
        } else {
            snapshot.sourceNode = "\(cluster.arn)/0001"
        }
        try table.put(snapshot)
        return snapshot
    }

    func create() throws -> ShapeValue {
        let name = try call.required(.snapshotName)
        try requireOneSource()
        let cluster: CacheClusterRecord
        var group: ReplicationGroupRecord?
        if let groupId = call.string(.replicationGroupId) {
            let groups = ReplicationGroupOperations(context: context)
            let found = try groups.group(groupId)
            try groups.requireAvailable(found)
            guard let primary = found.nodeGroups.first?.members.first(where: { $0.role == "primary" }) else {
                throw call.error(.invalidReplicationGroupStateFault, "Replication group \(groupId) has no primary.")
            }
            cluster = try clusters.cluster(primary.clusterId)
            group = found
        } else if let clusterId = call.string(.cacheClusterId) {
            cluster = try clusters.cluster(clusterId)
            guard cluster.status == .available else {
                throw call.error(
                    .invalidCacheClusterStateFault,
                    "Cache cluster \(cluster.id) is not in the available state (\(cluster.status.rawValue)).")
            }
        } else {
            throw AWSError.invalidParameterValue("One of ReplicationGroupId or CacheClusterId must be provided.")
        }
        guard cluster.engine != "memcached" else {
            throw call.error(
                .snapshotFeatureNotSupportedFault, "Snapshots are not supported for Memcached clusters.")
        }
        return .object(["Snapshot": render(try take(name, of: cluster, group: group, source: "manual"))])
    }

    func copy() throws -> ShapeValue {
        let source = try snapshot(try call.required(.sourceSnapshotName))
        guard source.status == .available else {
            throw call.error(.invalidSnapshotStateFault, "Snapshot \(source.name) is not available.")
        }
        if let bucket = call.string(.targetBucket) {
            // An export: the copy is an RDB file in the bucket, not a new snapshot.
            let name = try call.required(.targetSnapshotName)
            // One RDB per shard (`-0001.rdb`, `-0002.rdb`, …), as ElastiCache exports them.
            for (index, key) in source.dataKeys.enumerated() {
                try SnapshotExport.write(
                    bucket: bucket, key: "\(name)-" + String(format: "%04d.rdb", index + 1), dataKey: key, call: call,
                    settings: context.settings, in: tx)
            }
            return .object(["Snapshot": render(source)])
        }
        let id = try ClusterValidation.clusterId(
            try call.required(.targetSnapshotName), parameter: "TargetSnapshotName", maxLength: 255)
        try requireNew(id)
        var copy = source
        copy.name = id
        copy.arn = context.arn(SnapshotRecord.arnType, id)
        copy.source = "manual"
        copy.begin(.creating, until: context.readyAt)
        copy.created = call.now
        copy.tags = try TagOperations.tags(call[.tags])
        copy.rdbOf = source.dataKey
        copy.sourceNode = nil
        try table.put(copy)
        return .object(["Snapshot": render(copy)])
    }

    func delete() throws -> ShapeValue {
        var snapshot = try snapshot(try call.required(.snapshotName))
        guard snapshot.status == .available else {
            throw call.error(
                .invalidSnapshotStateFault,
                "Snapshot \(snapshot.name) is \(snapshot.status.rawValue), not available.")
        }
        try table.delete(snapshot.id)
        snapshot.status = .deleting
        return .object(["Snapshot": render(snapshot)])
    }

    /// The automatic snapshots due by now: one per day in the SnapshotWindow of each cluster
    /// or replication group (AWS's default window when none is set) whose
    /// SnapshotRetentionLimit is above zero, keeping the newest `limit` of them.
    func takeAutomatic() throws {
        var sources: [(cluster: CacheClusterRecord, group: ReplicationGroupRecord?, limit: Int, window: String?)] = []
        for cluster in try clusters.allClusters()
        where cluster.replicationGroupId == nil && cluster.snapshotRetentionLimit > 0 && cluster.engine != "memcached" {
            sources.append((cluster, nil, cluster.snapshotRetentionLimit, cluster.snapshotWindow))
        }
        let groups = ReplicationGroupOperations(context: context)
        for group in try groups.all() where group.snapshotRetentionLimit > 0 {
            let primary = group.nodeGroups.first?.members.first { $0.role == "primary" }
            if let primary, let cluster = try? clusters.cluster(primary.clusterId) {
                sources.append((cluster, group, group.snapshotRetentionLimit, group.snapshotWindow))
            }
        }
        let existing = try table.list()
        for source in sources where source.cluster.status == .available {
            let owner = source.group?.id ?? source.cluster.id
            func mine(_ snapshot: SnapshotRecord) -> Bool {
                snapshot.source == "automated" && (snapshot.replicationGroupId ?? snapshot.cacheClusterId) == owner
            }
            let start = max(
                source.cluster.createTime ?? call.now, existing.filter(mine).map(\.created).max() ?? .distantPast)
            let due = Self.windowStarts(
                source.window ?? ReplicationGroupRecord.defaultSnapshotWindow, after: start, upTo: call.now)
            for time in due.suffix(source.limit) {
                var snapshot = try take(
                    "automatic.\(owner)-\(Self.stamp(time))", of: source.cluster, group: source.group,
                    source: "automated")
                snapshot.created = time
                snapshot.begin(.available, until: nil)
                try table.put(snapshot)
            }
            let all = try table.list().filter(mine)
            for old in all.sorted(by: { $0.created > $1.created }).dropFirst(source.limit) {
                try table.delete(old.id)
            }
        }
    }

    /// The starts of the daily window `hh:mm-hh:mm` (UTC) in (after, upTo].
    static func windowStarts(_ window: String, after: Date, upTo: Date) -> [Date] {
        let parts = window.split(separator: "-").first?.split(separator: ":").compactMap { Int($0) } ?? []
        guard parts.count == 2, after < upTo else { return [] }
        let offset = TimeInterval(parts[0] * 3600 + parts[1] * 60)
        var day = (after.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        var starts: [Date] = []
        while day + offset <= upTo.timeIntervalSince1970 {
            let start = Date(timeIntervalSince1970: day + offset)
            if start > after { starts.append(start) }
            day += 86_400
        }
        return starts
    }

    static func stamp(_ date: Date) -> String {
        let c = Timestamps.utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
