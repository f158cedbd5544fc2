import AWSModels
import AWSWire
import Foundation
import ServiceContract

extension ReplicationGroupOperations {
    func modify() throws -> ShapeValue {
        var group = try group(try call.required(.replicationGroupId))
        try requireAvailable(group)
        if let description = call.string(.replicationGroupDescription) { group.description = description }
        if let failover = call[.automaticFailoverEnabled]?.boolValue {
            if !failover && group.clusterMode {
                throw call.error(.invalidParameterCombinationException, "Cluster mode requires automatic failover.")
            }
            if failover && group.nodeGroups.contains(where: { $0.members.count < 2 }) {
                throw call.error(
                    .invalidParameterCombinationException, "Automatic failover needs at least one replica.")
            }
            group.automaticFailover = failover
            if !failover { group.multiAZ = false }
        }
        if let multiAZ = call[.multiAZEnabled]?.boolValue {
            if multiAZ && !group.automaticFailover {
                throw call.error(
                    .invalidParameterCombinationException, "MultiAZEnabled requires AutomaticFailoverEnabled.")
            }
            group.multiAZ = multiAZ
        }
        if let primaryId = call.string(.primaryClusterId) {
            guard !group.clusterMode,
                let index = group.nodeGroups[0].members.firstIndex(where: { $0.clusterId == primaryId })
            else {
                throw call.error(
                    .invalidParameterCombinationException, "\(primaryId) is not a member that can become primary.")
            }
            for i in group.nodeGroups[0].members.indices {
                group.nodeGroups[0].members[i].role = i == index ? "primary" : "replica"
            }
        }
        if let window = call.string(.preferredMaintenanceWindow) {
            group.maintenanceWindow = try ClusterValidation.maintenanceWindow(window)
        }
        let users = UserOperations(context: context)
        if let add = context.strings(.userGroupIdsToAdd) {
            try users.attach(add, to: group.id, serverless: false)
            group.userGroupIds = (group.userGroupIds ?? []).filter { !add.contains($0) } + add
        }
        if let remove = context.strings(.userGroupIdsToRemove) {
            try users.attach(remove, to: group.id, serverless: false, detach: true)
            group.userGroupIds = (group.userGroupIds ?? []).filter { !remove.contains($0) }
        }
        group.logDelivery = try LogDelivery.apply(call, engine: group.engine, to: group.logDelivery)
        if let requested = call.string(.durability) {
            group.effectiveDurability = try Durability.modified(
                requested, current: group.effectiveDurability ?? "disabled", call: call)
            group.durability = requested
        }
        if let limit = call.int(.snapshotRetentionLimit) { group.snapshotRetentionLimit = limit }
        if let window = call.string(.snapshotWindow) { group.snapshotWindow = window }
        if let member = call.string(.snapshottingClusterId) {
            guard !group.clusterMode, group.memberIds.contains(member.lowercased()) else {
                throw call.error(
                    .invalidParameterCombinationException,
                    "SnapshottingClusterId \(member) is not a member of \(group.id) (or the group has cluster mode on)."
                )
            }
            group.snapshottingClusterId = member.lowercased()
        }
        if let flag = call[.autoMinorVersionUpgrade]?.boolValue { group.autoMinorVersionUpgrade = flag }
        if call.string(.authToken) != nil || call.string(.authTokenUpdateStrategy) != nil {
            let strategy = call.string(.authTokenUpdateStrategy) ?? "SET"
            group.authTokenEnabled = strategy != "DELETE"
            // Every member's nodes take the new token (live, on real nodes).
            for id in group.memberIds {
                guard var member = try? clusters.cluster(id) else { continue }
                member.updateAuthTokens(strategy: strategy, token: call.string(.authToken))
                try clusters.save(member)
            }
        }
        let transit = try group.transit.modified(
            call, userGroups: !(group.userGroupIds ?? []).isEmpty, authToken: group.authTokenEnabled)
        if transit != group.transit {
            group.transit = transit
            for id in group.memberIds {
                guard var member = try? clusters.cluster(id) else { continue }
                member.transit = transit
                try clusters.save(member)
            }
        }
        var changesMembers = false
        if let name = call.string(.cacheParameterGroupName) {
            let family = EngineCatalog.version(engine: group.engine, version: group.engineVersion)?.family ?? ""
            try clusters.checkParameterGroup(name, family: family)
            group.parameterGroup = name
        }
        if let version = call.string(.engineVersion), version != group.engineVersion {
            group.engineVersion = try ClusterValidation.upgrade(
                engine: group.engine, from: group.engineVersion, to: version
            )
            .version
            changesMembers = true
        }
        if let nodeType = call.string(.cacheNodeType), nodeType != group.nodeType {
            group.nodeType = try ClusterValidation.nodeType(nodeType)
            changesMembers = true
        }
        if changesMembers {
            for id in group.memberIds {
                var member = try clusters.cluster(id)
                member.engineVersion = group.engineVersion
                member.nodeType = group.nodeType
                try clusters.save(member)
            }
            begin(.modifying, &group)
        }
        try save(group)
        return .object(["ReplicationGroup": try render(group)])
    }

    /// IncreaseReplicaCount and DecreaseReplicaCount.
    func changeReplicas(increase: Bool) throws -> ShapeValue {
        var group = try group(try call.required(.replicationGroupId))
        try requireAvailable(group)
        guard call[.applyImmediately]?.boolValue == true else {
            throw AWSError.invalidParameterValue("ApplyImmediately must be true: replica counts change at once.")
        }
        var targets: [String: Int] = [:]
        if let count = call.int(.newReplicaCount) {
            for nodeGroup in group.nodeGroups { targets[nodeGroup.id] = count }
        }
        for shard in call[.replicaConfiguration]?.listValue ?? [] {
            if let id = shard[member: "NodeGroupId"]?.stringValue,
                let count = shard[member: "NewReplicaCount"]?.intValue
            {
                targets[id] = Int(count)
            }
        }
        let toRemove = Set(context.strings(.replicasToRemove) ?? [])
        guard !targets.isEmpty || (!increase && !toRemove.isEmpty) else {
            throw call.error(
                .invalidParameterCombinationException,
                "Give NewReplicaCount, ReplicaConfiguration or ReplicasToRemove.")
        }
        for index in group.nodeGroups.indices {
            var nodeGroup = group.nodeGroups[index]
            let current = nodeGroup.members.count - 1
            if !increase && !toRemove.isEmpty {
                if toRemove.contains(where: { id in
                    nodeGroup.members.contains { $0.clusterId == id && $0.role == "primary" }
                }) {
                    throw call.error(.invalidParameterCombinationException, "The primary cannot be removed.")
                }
                targets[nodeGroup.id] = current - nodeGroup.members.filter { toRemove.contains($0.clusterId) }.count
            }
            guard let target = targets[nodeGroup.id] else { continue }
            guard (0...Self.maxReplicas).contains(target), increase ? target > current : target < current else {
                throw AWSError.invalidParameterValue(
                    "NewReplicaCount \(target) for node group \(nodeGroup.id) must be \(increase ? "greater" : "less") than the current \(current) and between 0 and 5."
                )
            }
            if !increase && target < 1 && group.automaticFailover {
                throw call.error(
                    .invalidParameterCombinationException,
                    "Automatic failover needs at least one replica per node group.")
            }
            if increase {
                for _ in current..<target {
                    let id = group.memberId(
                        nodeGroup: nodeGroup.id, index: group.nextMemberIndex(nodeGroup: nodeGroup.id))
                    try addMember(group, id: id, zone: nodeGroup.members.count)
                    nodeGroup.members.append(.init(clusterId: id, role: "replica"))
                    group.nodeGroups[index] = nodeGroup
                }
            } else {
                var removing = nodeGroup.members.filter { toRemove.contains($0.clusterId) }.map(\.clusterId)
                for member in nodeGroup.members.reversed()
                where member.role == "replica" && removing.count < current - target {
                    if !removing.contains(member.clusterId) { removing.append(member.clusterId) }
                }
                for id in removing { try removeMember(id) }
                nodeGroup.members.removeAll { removing.contains($0.clusterId) }
            }
            group.nodeGroups[index] = nodeGroup
        }
        begin(.modifying, &group)
        try save(group)
        return .object(["ReplicationGroup": try render(group)])
    }

    func modifyShards() throws -> ShapeValue {
        var group = try group(try call.required(.replicationGroupId))
        try requireAvailable(group)
        guard group.clusterMode else {
            throw call.error(
                .invalidParameterCombinationException, "Only replication groups in cluster mode have shards to change."
            )
        }
        guard call[.applyImmediately]?.boolValue == true else {
            throw AWSError.invalidParameterValue("ApplyImmediately must be true.")
        }
        let count = call.int(.nodeGroupCount) ?? group.nodeGroups.count
        guard (1...Self.maxNodeGroups).contains(count) else {
            throw call.error(
                .nodeGroupsPerReplicationGroupQuotaExceededFault, "NodeGroupCount must be between 1 and 500.")
        }
        guard count != group.nodeGroups.count else {
            throw call.error(.noOperationFault, "The replication group already has \(count) node groups.")
        }
        try reshard(
            &group, to: count, retain: context.strings(.nodeGroupsToRetain),
            remove: Set(context.strings(.nodeGroupsToRemove) ?? []))
        begin(.modifying, &group)
        try save(group)
        return .object(["ReplicationGroup": try render(group)])
    }

    /// Gives cluster-mode `group` `count` shards: keeps those `retain` names (else all but those
    /// `remove` names), first ones first, or adds shards with the first one's replica count;
    /// the slots are spread evenly again. Removed and added members begin their lifecycles.
    func reshard(_ group: inout ReplicationGroupRecord, to count: Int, retain: [String]?, remove: Set<String>) throws {
        if count < group.nodeGroups.count {
            let kept = group.nodeGroups.filter { retain?.contains($0.id) ?? !remove.contains($0.id) }
            guard kept.count >= count else {
                throw AWSError.invalidParameterValue(
                    "NodeGroupsToRetain or NodeGroupsToRemove must leave \(count) node groups.")
            }
            for nodeGroup in group.nodeGroups.dropFirst(0) where !kept.prefix(count).contains(nodeGroup) {
                for member in nodeGroup.members { try removeMember(member.clusterId) }
            }
            group.nodeGroups = Array(kept.prefix(count))
        } else {
            let replicas = group.nodeGroups.first.map { $0.members.count - 1 } ?? 1
            var next = (group.nodeGroups.compactMap { Int($0.id) }.max() ?? 0) + 1
            while group.nodeGroups.count < count {
                let nodeGroupId = String(format: "%04d", next)
                var members: [ReplicationGroupRecord.Member] = []
                for position in 0...replicas {
                    let id = group.memberId(nodeGroup: nodeGroupId, index: position + 1)
                    try addMember(group, id: id, zone: position)
                    members.append(.init(clusterId: id, role: position == 0 ? "primary" : "replica"))
                }
                group.nodeGroups.append(.init(id: nodeGroupId, slots: "", members: members))
                next += 1
            }
        }
        for index in group.nodeGroups.indices {
            group.nodeGroups[index].slots = ReplicationGroupRecord.slots(index, of: group.nodeGroups.count)
        }
    }

    func testFailover() throws -> ShapeValue {
        var group = try group(try call.required(.replicationGroupId))
        try requireAvailable(group)
        let nodeGroupId = try call.required(.nodeGroupId)
        guard let index = group.nodeGroups.firstIndex(where: { $0.id == nodeGroupId }) else {
            throw call.error(.nodeGroupNotFoundFault, "Node group \(nodeGroupId) not found in \(group.id).")
        }
        guard group.automaticFailover, group.nodeGroups[index].members.count > 1 else {
            throw call.error(
                .testFailoverNotAvailableFault, "Test failover needs automatic failover and at least one replica.")
        }
        guard let (old, new) = group.promoteReplica(inNodeGroup: index) else { throw AWSError.internalFailure }
        try FailoverEvents.record(
            group: group.id, nodeGroup: nodeGroupId, old: old, new: new, test: true, now: call.now, scope: scope,
            in: tx)
        try save(group)
        return .object(["ReplicationGroup": try render(group)])
    }
}
