import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Replication groups: Create, Describe, Delete here; changes in `+Changes`.
struct ReplicationGroupOperations {
    /// AWS's limits: replicas per node group and node groups per replication group.
    static let maxReplicas = 5
    static let maxNodeGroups = 500

    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }
    var scope: String { context.scope }

    var table: ResourceTable<ReplicationGroupRecord> { context.table(ReplicationGroupRecord.self) }

    func notFound(_ id: String) -> AWSError { table.notFound(id) }

    func group(_ id: String) throws -> ReplicationGroupRecord {
        guard let group = try table.find(id.lowercased()) else { throw notFound(id) }
        return group
    }

    func all() throws -> [ReplicationGroupRecord] { try table.list() }

    func event(_ id: String, _ message: String, at date: Date) throws {
        try ServiceEvents.append(
            ServiceEventRecord(sourceIdentifier: id, sourceType: "replication-group", message: message, date: date),
            tx: tx,
            scope: scope)
    }

    func save(_ group: ReplicationGroupRecord) throws { try table.put(group) }

    func render(_ group: ReplicationGroupRecord) throws -> ShapeValue {
        var members: [String: CacheClusterRecord] = [:]
        for id in group.memberIds { members[id] = try? clusters.cluster(id) }
        return group.shapeValue(endpoints: context.settings.endpoints, members: members)
    }

    /// Enters `status`; `nodeGroups` false: a change that leaves the node groups as they are.
    func begin(_ status: ReplicationGroupRecord.Status, _ group: inout ReplicationGroupRecord, nodeGroups: Bool = true)
    {
        group.begin(status, until: context.readyAt)
        group.nodeGroupsUnchanged = nodeGroups ? nil : true
    }

    func requireAvailable(_ group: ReplicationGroupRecord) throws {
        guard group.status == .available else {
            throw call.error(
                .invalidReplicationGroupStateFault,
                "Replication group \(group.id) is not in available state (it is \(group.status.rawValue)).")
        }
    }

    /// A new one-node member cluster of `group`, starting its own `creating` lifecycle.
    func addMember(
        _ group: ReplicationGroupRecord, id: String, zone: Int, named: String? = nil, restoreFrom: String? = nil
    ) throws {
        var member = CacheClusterRecord(
            id: id, arn: context.arn("cluster", id), engine: group.engine,
            engineVersion: group.engineVersion, nodeType: group.nodeType, status: .creating, readyAt: nil,
            numCacheNodes: 1,
            nodes: [CacheNodeRecord(id: "0001", createTime: call.now, status: "creating")], azMode: "single-az",
            preferredAvailabilityZone: named ?? call.region + ["a", "b", "c"][zone % 3],
            parameterGroup: group.parameterGroup,
            maintenanceWindow: group.maintenanceWindow, port: group.port, createTime: nil, pending: nil,
            cacheSecurityGroupNames: [], securityGroupIds: group.securityGroupIds ?? [],
            subnetGroup: group.subnetGroup ?? SubnetGroupOperations.defaultName,
            autoMinorVersionUpgrade: group.autoMinorVersionUpgrade,
            snapshotRetentionLimit: group.snapshotRetentionLimit,
            snapshotWindow: group.snapshotWindow, authTokenEnabled: group.authTokenEnabled,
            transitEncryptionEnabled: group.transitEncryptionEnabled, notificationTopicArn: group.notificationTopicArn,
            replicationGroupId: group.id, tags: [])
        member.transit = group.transit
        member.groupClusterMode = group.clusterMode
        member.restoreFrom = restoreFrom
        // The group's AUTH tokens: those of a member it has, else the creating call's.
        let sibling = group.memberIds.lazy.compactMap { try? self.clusters.cluster($0) }.first
        member.authTokens = sibling?.authTokens ?? call.string(.authToken).map { [SealedSecret($0)] }
        clusters.lifecycle.begin(.creating, &member, now: call.now)
        try clusters.save(member)
    }

    /// The saved data a new member starts with when the group is restored from `source`:
    /// the snapshot's RDB for every member without cluster mode; in cluster mode the same
    /// shard's RDB for each shard's primary, when the snapshot has as many shards (a replica
    /// takes its data from its primary; other shard counts start empty).
    /// The snapshot data a cluster-mode group imports once formed, when its primaries could not
    /// start with it: a snapshot with another shard count, or one without cluster mode.
    static func importData(_ source: SnapshotRecord?, layout: GroupLayout) -> [String]? {
        guard let source, layout.clusterMode else { return nil }
        guard let shards = source.shardNodes else { return [source.dataKey] }
        guard shards.count != layout.plans.count else { return nil }
        return shards.indices.map { SnapshotRecord.shardKey(source.dataKey, $0) }
    }

    func restoreData(_ source: SnapshotRecord?, shard: Int, of layout: GroupLayout, primary: Bool) -> String? {
        guard let source else { return nil }
        guard layout.clusterMode else { return source.shardNodes == nil ? source.dataKey : nil }
        guard primary, let shards = source.shardNodes, shards.count == layout.plans.count else { return nil }
        return SnapshotRecord.shardKey(source.dataKey, shard)
    }

    /// Starts deleting a member cluster (its own lifecycle removes it).
    func removeMember(_ id: String) throws {
        guard var member = try? clusters.cluster(id) else { return }
        clusters.lifecycle.begin(.deleting, &member, now: call.now)
        try clusters.save(member)
    }

    func create() throws -> ShapeValue {
        let id = try ClusterValidation.clusterId(
            try call.required(.replicationGroupId), parameter: "ReplicationGroupId")
        let description = try call.required(.replicationGroupDescription)
        let source = try SnapshotOperations(context: context).restoreSource()
        let primary = try call.string(.primaryClusterId).map { try clusters.cluster($0) }
        if let primary, primary.engine == "memcached" || primary.replicationGroupId != nil {
            throw call.error(
                .invalidParameterCombinationException,
                "Cache cluster \(primary.id) cannot be the primary of a replication group.")
        }
        if let primary { try clusters.requireAvailable(primary) }
        // A secondary of a global datastore takes the datastore's engine, version and node type.
        let global = try call.string(.globalReplicationGroupId).map {
            try GlobalDatastoreOperations(context: context).global($0)
        }
        let engine = try ClusterValidation.engine(
            global?.engine ?? call.string(.engine) ?? source?.engine ?? primary?.engine ?? "redis")
        guard engine != "memcached" else {
            throw AWSError.invalidParameterValue("Replication groups are supported for Redis OSS and Valkey only.")
        }
        let version = try ClusterValidation.engineVersion(
            engine: engine,
            global?.engineVersion ?? call.string(.engineVersion) ?? source?.engineVersion ?? primary?.engineVersion
                ?? EngineCatalog.defaultVersion[engine] ?? "")
        let nodeType: String
        if let global {
            nodeType = global.nodeType
        } else if let primary {
            nodeType = primary.nodeType
        } else if let source, call.string(.cacheNodeType) == nil {
            nodeType = source.nodeType
        } else {
            guard let given = call.string(.cacheNodeType) else {
                throw AWSError.invalidParameterValue(
                    "The parameter CacheNodeType must be provided and must not be blank.")
            }
            nodeType = try ClusterValidation.nodeType(given)
        }
        // The group's clusters live in the named subnet group (the region's default when none).
        if let name = call.string(.cacheSubnetGroupName) { _ = try SubnetGroupOperations(context: context).group(name) }
        var layout = try GroupLayout(call: call, hasPrimary: primary != nil)
        if let global { layout.follow(clusterMode: global.clusterEnabled, shards: global.nodeGroupCount) }
        let failover = call[.automaticFailoverEnabled]?.boolValue ?? layout.clusterMode
        let multiAZ = call[.multiAZEnabled]?.boolValue ?? false
        if layout.clusterMode && !failover {
            throw call.error(
                .invalidParameterCombinationException, "Cluster mode requires AutomaticFailoverEnabled to be true.")
        }
        if failover && !layout.clusterMode && layout.replicas.allSatisfy({ $0 < 1 }) {
            throw call.error(
                .invalidParameterCombinationException,
                "AutomaticFailoverEnabled requires at least one replica (NumCacheClusters of 2 or more).")
        }
        if multiAZ && !failover {
            throw call.error(
                .invalidParameterCombinationException, "MultiAZEnabled requires AutomaticFailoverEnabled.")
        }
        if try table.find(id) != nil {
            throw call.error(.replicationGroupAlreadyExistsFault, "Replication group \(id) already exists.")
        }
        let parameterGroup =
            call.string(.cacheParameterGroupName)
            ?? "default.\(version.family)\(layout.clusterMode ? ".cluster.on" : "")"
        if call.string(.cacheParameterGroupName) != nil {
            try clusters.checkParameterGroup(parameterGroup, family: version.family)
        }
        let window = try call.string(.preferredMaintenanceWindow).map(ClusterValidation.maintenanceWindow)
        let transit = try TransitEncryption.created(call, userGroups: !(context.strings(.userGroupIds) ?? []).isEmpty)
        var group = ReplicationGroupRecord(
            id: id, description: description,
            arn: context.arn(ReplicationGroupRecord.arnType, id),
            engine: engine, engineVersion: version.version, nodeType: nodeType, status: .creating, readyAt: nil,
            clusterMode: layout.clusterMode, automaticFailover: failover, multiAZ: multiAZ, nodeGroups: [],
            parameterGroup: parameterGroup, port: call.int(.port) ?? 6379,
            maintenanceWindow: window ?? "sun:05:00-sun:06:00",
            snapshotRetentionLimit: call.int(.snapshotRetentionLimit) ?? 0,
            snapshotWindow: call.string(.snapshotWindow),
            authTokenEnabled: call.string(.authToken) != nil,
            transitEncryptionEnabled: transit.enabled,
            atRestEncryptionEnabled: call[.atRestEncryptionEnabled]?.boolValue ?? false,
            autoMinorVersionUpgrade: call[.autoMinorVersionUpgrade]?.boolValue ?? true, createTime: nil,
            tags: try TagOperations.tags(call[.tags]))
        group.transit = transit
        group.subnetGroup = call.string(.cacheSubnetGroupName)
        group.securityGroupIds = context.strings(.securityGroupIds)
        group.kmsKeyId = call.string(.KmsKeyId)
        group.importFrom = Self.importData(source, layout: layout)
        group.logDelivery = try LogDelivery.apply(call, engine: engine, to: nil)
        group.notificationTopicArn = call.string(.notificationTopicArn)
        // `effective` checks the value asked for (once).
        group.effectiveDurability = try Durability.effective(
            call.string(.durability) ?? source?.origin?.durability, version: version, call: call)
        group.durability = call.string(.durability)
        if group.effectiveDurability != "disabled" { group.atRestEncryptionEnabled = true }
        if let global { try GlobalDatastoreOperations(context: context).join(global.id, group: &group) }
        if let ids = context.strings(.userGroupIds), !ids.isEmpty {
            try UserOperations(context: context).attach(ids, to: id, serverless: false)
            group.userGroupIds = ids
        }
        let existingNodes = try clusters.usage().nodes
        guard existingNodes + layout.replicas.reduce(0, { $0 + $1 + 1 }) <= context.settings.nodesPerAccount else {
            throw call.error(.nodeQuotaForCustomerExceededFault, "Node quota exceeded for customer.")
        }
        for (index, plan) in layout.plans.enumerated() {
            let nodeGroupId = plan.id
            var members: [ReplicationGroupRecord.Member] = []
            for position in 0...plan.replicas {
                if position == 0, var primary {
                    primary.replicationGroupId = id
                    try clusters.save(primary)
                    members.append(.init(clusterId: primary.id, role: "primary"))
                    continue
                }
                let memberId = group.memberId(nodeGroup: nodeGroupId, index: position + 1)
                let zone = plan.zones.flatMap { $0.indices.contains(position) ? $0[position] : nil }
                try addMember(
                    group, id: memberId, zone: position, named: zone.flatMap { $0.isEmpty ? nil : $0 },
                    restoreFrom: restoreData(source, shard: index, of: layout, primary: position == 0))
                members.append(.init(clusterId: memberId, role: position == 0 ? "primary" : "replica"))
            }
            group.nodeGroups.append(
                .init(
                    id: nodeGroupId, slots: plan.slots ?? ReplicationGroupRecord.slots(index, of: layout.plans.count),
                    members: members))
        }
        begin(.creating, &group)
        try save(group)
        return .object(["ReplicationGroup": try render(group)])
    }

    func describe() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        let groups = try call.string(.replicationGroupId).map { [try group($0)] } ?? all()
        let (page, next) = try Marker.page(groups, id: \.id, marker: call.string(.marker), maxRecords: maxRecords)
        return .object(["ReplicationGroups": .list(try page.map(render)), "Marker": next.map(ShapeValue.string)])
    }

    func delete() throws -> ShapeValue {
        var group = try group(try call.required(.replicationGroupId))
        try requireAvailable(group)
        if let global = group.globalReplicationGroupId {
            throw call.error(
                .invalidReplicationGroupStateFault,
                "Replication group \(group.id) belongs to global datastore \(global); disassociate or delete it first.")
        }
        if let name = call.string(.finalSnapshotIdentifier),
            let primary = group.nodeGroups.first?.members.first(where: { $0.role == "primary" })
        {
            try SnapshotOperations(context: context).finalSnapshot(
                name, of: try clusters.cluster(primary.clusterId), group: group)
        }
        let retain = call[.retainPrimaryCluster]?.boolValue ?? false
        if retain && group.clusterMode {
            throw call.error(
                .invalidParameterCombinationException, "RetainPrimaryCluster is not supported with cluster mode.")
        }
        for nodeGroup in group.nodeGroups {
            for member in nodeGroup.members {
                if retain && member.role == "primary", var kept = try? clusters.cluster(member.clusterId) {
                    kept.replicationGroupId = nil
                    try clusters.save(kept)
                } else {
                    try removeMember(member.clusterId)
                }
            }
        }
        try UserOperations(context: context).attach(
            group.userGroupIds ?? [], to: group.id, serverless: false, detach: true)
        begin(.deleting, &group)
        try save(group)
        return .object(["ReplicationGroup": try render(group)])
    }
}

/// How many node groups, and replicas in each, a CreateReplicationGroup call asks for.
