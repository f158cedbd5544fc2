import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Global datastores across the regions of one account: create from a primary replication
/// group, join secondaries (CreateReplicationGroup with GlobalReplicationGroupId), fail over,
/// disassociate, resize and rebalance the global node groups, modify, delete.
struct GlobalDatastoreOperations {
    let context: ElastiCacheCall
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }
    var groups: ReplicationGroupOperations { ReplicationGroupOperations(context: context) }

    func handle() throws -> ShapeValue {
        switch call.operation.name {
        case "CreateGlobalReplicationGroup": return try create()
        case "DescribeGlobalReplicationGroups": return try describe()
        case "ModifyGlobalReplicationGroup": return try modify()
        case "DeleteGlobalReplicationGroup": return try delete()
        case "DisassociateGlobalReplicationGroup": return try disassociate()
        case "FailoverGlobalReplicationGroup": return try failover()
        case "IncreaseNodeGroupsInGlobalReplicationGroup": return try resize(increase: true)
        case "DecreaseNodeGroupsInGlobalReplicationGroup": return try resize(increase: false)
        default: return try rebalance()
        }
    }

    var table: ResourceTable<GlobalDatastoreRecord> { context.table(GlobalDatastoreRecord.self) }

    func invalidState(_ global: GlobalDatastoreRecord) -> AWSError {
        call.error(
            .invalidGlobalReplicationGroupStateFault,
            "Global replication group \(global.id) is \(global.status.rawValue).")
    }

    func global(_ id: String) throws -> GlobalDatastoreRecord { try table.get(id) }

    /// The datastore after a change: busy for a lifecycle, then settled by its table.
    func changed(_ global: inout GlobalDatastoreRecord, status: GlobalDatastoreRecord.Status = .modifying) throws
        -> ShapeValue
    {
        global.begin(status, until: context.readyAt)
        try table.put(global)
        return .object(["GlobalReplicationGroup": global.shapeValue(showMembers: true)])
    }

    func requireSettled(_ global: GlobalDatastoreRecord) throws {
        guard global.status.isSettled else { throw invalidState(global) }
    }

    /// Marks replication group `id` of this region as a member (or not) of a global datastore.
    func tag(_ id: String, global: String?, role: String?) throws {
        var group = try groups.group(id)
        group.globalReplicationGroupId = global
        group.globalRole = role
        try groups.save(group)
    }

    func create() throws -> ShapeValue {
        let suffix = try call.required(.globalReplicationGroupIdSuffix)
        let primary = try groups.group(try call.required(.primaryReplicationGroupId))
        try groups.requireAvailable(primary)
        guard primary.globalReplicationGroupId == nil else {
            throw call.error(
                .invalidReplicationGroupStateFault, "Replication group \(primary.id) is already in a global datastore."
            )
        }
        let checked = try ClusterValidation.clusterId(suffix, parameter: "GlobalReplicationGroupIdSuffix")
        let id = "\(GlobalDatastoreRecord.prefix(account: call.account))-\(checked)"
        if try table.find(id) != nil {
            throw call.error(
                .globalReplicationGroupAlreadyExistsFault, "Global replication group \(id) already exists.")
        }
        var global = GlobalDatastoreRecord(
            id: id, description: call.string(.globalReplicationGroupDescription) ?? "", status: .creating,
            readyAt: nil, nodeType: primary.nodeType, engine: primary.engine, engineVersion: primary.engineVersion,
            clusterEnabled: primary.clusterMode, nodeGroupCount: primary.nodeGroups.count,
            automaticFailover: primary.automaticFailover, authTokenEnabled: primary.authTokenEnabled,
            transitEncryptionEnabled: primary.transitEncryptionEnabled,
            atRestEncryptionEnabled: primary.atRestEncryptionEnabled,
            members: [.init(replicationGroupId: primary.id, region: call.region, role: "primary")],
            arn: call.partition.arn("elasticache", account: call.account, "globalreplicationgroup:\(id)"),
            tagList: try TagOperations.tags(call[.tags]))
        try tag(primary.id, global: id, role: "primary")
        return try changed(&global, status: .creating)
    }

    /// Joins a new replication group of this region as a secondary (CreateReplicationGroup).
    func join(_ id: String, group: inout ReplicationGroupRecord) throws {
        var global = try global(id)
        try requireSettled(global)
        guard !global.members.contains(where: { $0.region == call.region }) else {
            throw call.error(
                .invalidGlobalReplicationGroupStateFault,
                "Global replication group \(id) already has a member in \(call.region).")
        }
        guard global.members.count < GlobalDatastoreRecord.maxMembers else {
            throw AWSError.invalidParameterValue("A global datastore has at most two secondary regions.")
        }
        global.members.append(.init(replicationGroupId: group.id, region: call.region, role: "secondary"))
        group.globalReplicationGroupId = global.id
        group.globalRole = "secondary"
        _ = try changed(&global)
    }

    func describe() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var globals = try table.list()
        if let id = call.string(.globalReplicationGroupId) {
            globals = globals.filter { $0.id == id }
            if globals.isEmpty { throw table.notFound(id) }
        }
        let show = call[.showMemberInfo]?.boolValue ?? false
        let (page, next) = try Marker.page(globals, id: \.id, marker: call.string(.marker), maxRecords: maxRecords)
        return .object([
            "GlobalReplicationGroups": .list(page.map { $0.shapeValue(showMembers: show) }),
            "Marker": next.map(ShapeValue.string),
        ])
    }

    func modify() throws -> ShapeValue {
        var global = try global(try call.required(.globalReplicationGroupId))
        try requireSettled(global)
        if let description = call.string(.globalReplicationGroupDescription) { global.description = description }
        if let failover = call[.automaticFailoverEnabled]?.boolValue {
            global.automaticFailover = failover
        }
        if let nodeType = call.string(.cacheNodeType) { global.nodeType = try ClusterValidation.nodeType(nodeType) }
        if let version = call.string(.engineVersion) {
            global.engineVersion =
                try ClusterValidation.upgrade(engine: global.engine, from: global.engineVersion, to: version).version
        }
        return try changed(&global)
    }

    func delete() throws -> ShapeValue {
        var global = try global(try call.required(.globalReplicationGroupId))
        try requireSettled(global)
        guard global.members.count == 1, let primary = global.members.first else {
            throw call.error(
                .invalidGlobalReplicationGroupStateFault,
                "Disassociate the secondary replication groups of \(global.id) before deleting it.")
        }
        guard primary.region == call.region else {
            throw AWSError.invalidParameterValue(
                "Delete global datastore \(global.id) from its primary region, \(primary.region).")
        }
        try tag(primary.replicationGroupId, global: nil, role: nil)
        if call[.retainPrimaryReplicationGroup]?.boolValue == false {
            var group = try groups.group(primary.replicationGroupId)
            for member in group.memberIds { try groups.removeMember(member) }
            groups.begin(.deleting, &group)
            try groups.save(group)
        }
        try table.delete(global.id)
        global.status = .deleting
        return .object(["GlobalReplicationGroup": global.shapeValue(showMembers: true)])
    }

    func member(_ global: GlobalDatastoreRecord) throws -> Int {
        let id = try call.string(.replicationGroupId) ?? call.required(.primaryReplicationGroupId)
        let region = try call.string(.replicationGroupRegion) ?? call.required(.primaryRegion)
        guard let index = global.members.firstIndex(where: { $0.replicationGroupId == id && $0.region == region })
        else {
            throw call.error(
                .invalidParameterCombinationException, "\(id) in \(region) is not a member of \(global.id).")
        }
        return index
    }

    func disassociate() throws -> ShapeValue {
        var global = try global(try call.required(.globalReplicationGroupId))
        try requireSettled(global)
        let index = try member(global)
        guard global.members[index].role == "secondary" else {
            throw AWSError.invalidParameterValue(
                "The primary replication group cannot be disassociated; fail over first.")
        }
        let removed = global.members.remove(at: index)
        if removed.region == call.region { try tag(removed.replicationGroupId, global: nil, role: nil) }
        return try changed(&global)
    }

    func failover() throws -> ShapeValue {
        var global = try global(try call.required(.globalReplicationGroupId))
        try requireSettled(global)
        let index = try member(global)
        guard global.members[index].role == "secondary" else {
            throw AWSError.invalidParameterValue("\(global.members[index].replicationGroupId) is already the primary.")
        }
        for i in global.members.indices { global.members[i].role = i == index ? "primary" : "secondary" }
        // Each region's group says its new role too (GlobalReplicationGroupInfo).
        for member in global.members {
            let scope = "\(call.account)/\(member.region)"
            guard
                var group = try tx.get(
                    ReplicationGroupRecord.self, kind: ReplicationGroupRecord.kind, scope: scope,
                    id: member.replicationGroupId)
            else { continue }
            group.globalRole = member.role
            try tx.put(group, kind: ReplicationGroupRecord.kind, scope: scope, id: group.id)
        }
        return try changed(&global)
    }

    func resize(increase: Bool) throws -> ShapeValue {
        var global = try global(try call.required(.globalReplicationGroupId))
        try requireSettled(global)
        guard global.clusterEnabled else {
            throw AWSError.invalidParameterValue("Node groups can be changed only with cluster mode enabled.")
        }
        let count = call.int(.nodeGroupCount) ?? 0
        guard increase ? count > global.nodeGroupCount : (1..<global.nodeGroupCount).contains(count) else {
            throw AWSError.invalidParameterValue(
                "NodeGroupCount \(count) must be \(increase ? "more" : "fewer") than the current \(global.nodeGroupCount)."
            )
        }
        if !increase && call[.globalNodeGroupsToRemove] != nil
            && call[.globalNodeGroupsToRetain] != nil
        {
            throw call.error(
                .invalidParameterCombinationException,
                "Give GlobalNodeGroupsToRemove or GlobalNodeGroupsToRetain, not both.")
        }
        // Every region's group gets the new shard count (AWS resizes each member's cluster);
        // global node group `<id>-0002` is node group 0002 of every member.
        func local(_ member: MemberName) -> [String]? {
            context.strings(member)?.map { String($0.split(separator: "-").last ?? "") }
        }
        let retain = local(.globalNodeGroupsToRetain)
        let remove = Set(local(.globalNodeGroupsToRemove) ?? [])
        let regional = try global.members.map { member in
            var call = self.call
            call.region = member.region
            let groups = ReplicationGroupOperations(
                context: ElastiCacheCall(call: call, tx: tx, settings: context.settings))
            let group = try groups.group(member.replicationGroupId)
            try groups.requireAvailable(group)
            return (groups, group)
        }
        for (groups, var group) in regional where group.clusterMode {
            try groups.reshard(&group, to: count, retain: retain, remove: remove)
            groups.begin(.modifying, &group)
            try groups.save(group)
        }
        global.nodeGroupCount = count
        return try changed(&global)
    }

    func rebalance() throws -> ShapeValue {
        var global = try global(try call.required(.globalReplicationGroupId))
        try requireSettled(global)
        guard global.clusterEnabled else {
            throw AWSError.invalidParameterValue("Slots can be rebalanced only with cluster mode enabled.")
        }
        return try changed(&global)
    }
}
