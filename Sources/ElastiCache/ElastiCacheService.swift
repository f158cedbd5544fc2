import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Limits and timings of the ElastiCache control plane.
package struct ElastiCacheSettings: Sendable {
    /// How long creating, modifying, rebooting and deleting take on the injected clock.
    package var lifecycleSeconds: TimeInterval = 5
    /// AWS's default quotas per account and region.
    package var clustersPerAccount = 300
    package var nodesPerAccount = 300
    package var nodesPerMemcachedCluster = 60
    package var endpoints: any NodeEndpoints = SyntheticEndpoints()
    /// Whether every node of a cluster answers (real node processes); a creating or rebooting
    /// cluster becomes available only then. Nil: nodes are addresses only, ready on time.
    package var nodesReady: (@Sendable (CacheClusterRecord) -> Bool)?
    /// Where CopySnapshot's TargetBucket and serverless exports write, if anywhere.
    package var exporter: SnapshotExporter?
    /// Real node data behind snapshots; nil when nodes are addresses only.
    package var snapshotData: SnapshotData?
    /// DescribeCacheClusters' answers per unchanged cluster.
    package var renderCache = ClusterRenderCache()

    package init() {}
}

/// ElastiCache (Query, 2015-02-02): every operation of the model.
package struct ElastiCacheService: ServiceHandler {
    package let model = ServiceModel.elastiCache
    let settings: ElastiCacheSettings

    /// Every stored cache cluster of every account and region, as stored (for whoever runs
    /// their nodes).
    package static func storedClusters(in tx: any StateReader) throws -> [CacheClusterRecord] {
        try tx.listAll(CacheClusterRecord.self, kind: CacheClusterOperations.kind)
    }

    /// Every account's replication groups (their members' roles place the node processes).
    package static func storedReplicationGroups(in tx: any StateReader) throws -> [ReplicationGroupRecord] {
        try tx.listAll(ReplicationGroupRecord.self, kind: ReplicationGroupRecord.kind)
    }

    package init(settings: ElastiCacheSettings = ElastiCacheSettings()) {
        self.settings = settings
    }

    package func resource(for call: OperationCall) -> String? {
        let base = "arn:\(call.partition.rawValue):elasticache:\(call.region):\(call.account)"
        if let arn = call.string(.resourceName) { return arn }
        if let id = call.string(.cacheClusterId) { return "\(base):cluster:\(id.lowercased())" }
        if let id = call.string(.replicationGroupId) { return "\(base):replicationgroup:\(id.lowercased())" }
        if let name = call.string(.cacheParameterGroupName) { return "\(base):parametergroup:\(name.lowercased())" }
        if let name = call.string(.cacheSubnetGroupName) { return "\(base):subnetgroup:\(name.lowercased())" }
        if let name = call.string(.cacheSecurityGroupName) { return "\(base):securitygroup:\(name.lowercased())" }
        if let name = call.string(.serverlessCacheName) { return "\(base):serverlesscache:\(name.lowercased())" }
        if let id = call.string(.userGroupId) { return "\(base):usergroup:\(id)" }
        if let id = call.string(.userId) { return "\(base):user:\(id)" }
        if let name = call.string(.snapshotName) ?? call.string(.sourceSnapshotName) {
            return "\(base):snapshot:\(name.lowercased())"
        }
        if call.operation.name.hasPrefix("DescribeCacheClusters") { return "\(base):cluster:*" }
        return "*"
    }

    /// The primary resource, then every other one the action names (``ElastiCacheAccess``).
    package func resources(for call: OperationCall) -> [String] {
        var seen = Set<String>()
        return ([resource(for: call)].compactMap { $0 } + ElastiCacheAccess.resources(for: call)).filter {
            seen.insert($0).inserted
        }
    }

    package func conditionKeys(for call: OperationCall) -> [String: [String]] {
        ElastiCacheAccess.conditionKeys(for: call)
    }

    /// Every taggable resource of the region (clusters and each family tagging reaches), with
    /// its tags.
    package func resourceTags(_ arn: String, in tx: any StateReader) throws -> [String: String]? {
        guard let parsed = ElastiCacheARN(arn) else { return nil }
        if parsed.type == "cluster" {
            return try tx.get(
                CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: parsed.scope,
                id: parsed.id.lowercased()
            ).map { TagOperations.dictionary($0.tags) }
        }
        func row<Record: TaggableResource>(_ family: Record.Type) throws -> [String: String]? {
            try family.stored(named: parsed, in: tx).map { TagOperations.dictionary($0.tags) }
        }
        guard let family = TagOperations.families[parsed.type] else { return nil }
        return try row(family)
    }

    package func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource] {
        func rows<Record: TaggableResource>(_ family: Record.Type) throws -> [TaggedResource] {
            try tx.list(family, kind: family.kind, scope: family.scope(account: account, region: region)).map {
                TaggedResource(arn: $0.arn, tags: TagOperations.dictionary($0.tags))
            }
        }
        let clusters = try tx.list(
            CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: "\(account)/\(region)")
        return try clusters.map { TaggedResource(arn: $0.arn, tags: TagOperations.dictionary($0.tags)) }
            + TagOperations.families.values.sorted { $0.arnType < $1.arnType }.flatMap { try rows($0) }
    }

    /// A create's cluster is checked, built, encoded and rendered here, before the writer's
    /// transaction (``CacheClusterOperations/NewCluster``).
    package func stage(_ call: OperationCall) -> (any Sendable)? {
        guard call.operation.name == "CreateCacheCluster" else { return nil }
        return CacheClusterOperations.staged(call, settings: settings)
    }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let context = ElastiCacheCall(call: call, tx: tx, settings: settings)
        let clusters = CacheClusterOperations(context: context)
        switch call.operation.name {
        case "CreateCacheCluster": return try clusters.create()
        case "DescribeCacheClusters": return try clusters.describe()
        case "ModifyCacheCluster": return try clusters.modify()
        case "DeleteCacheCluster": return try clusters.delete()
        case "RebootCacheCluster": return try clusters.reboot()
        case "AddTagsToResource", "ListTagsForResource", "RemoveTagsFromResource":
            return try TagOperations(context: context).handle()
        case "DescribeCacheEngineVersions": return try Self.engineVersions(call)
        case "DescribeEvents": return try ServiceEvents(context: context).describe()
        case "DescribeSnapshots": return try SnapshotOperations(context: context).describe()
        case "CreateUser": return try UserOperations(context: context).createUser()
        case "ModifyUser": return try UserOperations(context: context).modifyUser()
        case "DeleteUser": return try UserOperations(context: context).deleteUser()
        case "DescribeUsers": return try UserOperations(context: context).describeUsers()
        case "CreateUserGroup": return try UserOperations(context: context).createGroup()
        case "ModifyUserGroup": return try UserOperations(context: context).modifyGroup()
        case "DeleteUserGroup": return try UserOperations(context: context).deleteGroup()
        case "DescribeUserGroups": return try UserOperations(context: context).describeGroups()
        case "CreateServerlessCache": return try ServerlessOperations(context: context).create()
        case "ModifyServerlessCache": return try ServerlessOperations(context: context).modify()
        case "DeleteServerlessCache": return try ServerlessOperations(context: context).delete()
        case "DescribeServerlessCaches": return try ServerlessOperations(context: context).describe()
        case "CreateServerlessCacheSnapshot", "CopyServerlessCacheSnapshot", "DeleteServerlessCacheSnapshot",
            "DescribeServerlessCacheSnapshots", "ExportServerlessCacheSnapshot":
            let snapshots = ServerlessSnapshotOperations(serverless: ServerlessOperations(context: context))
            switch call.operation.name {
            case "CreateServerlessCacheSnapshot": return try snapshots.create()
            case "CopyServerlessCacheSnapshot": return try snapshots.copy()
            case "DeleteServerlessCacheSnapshot": return try snapshots.delete()
            case "ExportServerlessCacheSnapshot": return try snapshots.export()
            default: return try snapshots.describe()
            }
        case "CreateGlobalReplicationGroup", "DescribeGlobalReplicationGroups", "ModifyGlobalReplicationGroup",
            "DeleteGlobalReplicationGroup", "DisassociateGlobalReplicationGroup", "FailoverGlobalReplicationGroup",
            "IncreaseNodeGroupsInGlobalReplicationGroup", "DecreaseNodeGroupsInGlobalReplicationGroup",
            "RebalanceSlotsInGlobalReplicationGroup":
            return try GlobalDatastoreOperations(context: context).handle()
        case "DescribeReservedCacheNodesOfferings":
            return try ReservedNodeOperations(context: context).describeOfferings()
        case "PurchaseReservedCacheNodesOffering": return try ReservedNodeOperations(context: context).purchase()
        case "DescribeReservedCacheNodes": return try ReservedNodeOperations(context: context).describe()
        case "DescribeServiceUpdates": return try ServiceUpdateOperations(context: context).describeUpdates()
        case "DescribeUpdateActions": return try ServiceUpdateOperations(context: context).describeActions()
        case "BatchApplyUpdateAction": return try ServiceUpdateOperations(context: context).batch(apply: true)
        case "BatchStopUpdateAction": return try ServiceUpdateOperations(context: context).batch(apply: false)
        case "StartMigration", "CompleteMigration", "PrepareMigration", "StopMigration":
            return try MigrationOperations(context: context).serverlessOrGroup()
        case "TestMigration": return try MigrationOperations(context: context).test()
        case "CreateSnapshot": return try SnapshotOperations(context: context).create()
        case "CopySnapshot": return try SnapshotOperations(context: context).copy()
        case "DeleteSnapshot": return try SnapshotOperations(context: context).delete()
        case "CreateReplicationGroup": return try ReplicationGroupOperations(context: context).create()
        case "DescribeReplicationGroups": return try ReplicationGroupOperations(context: context).describe()
        case "ModifyReplicationGroup": return try ReplicationGroupOperations(context: context).modify()
        case "DeleteReplicationGroup": return try ReplicationGroupOperations(context: context).delete()
        case "IncreaseReplicaCount":
            return try ReplicationGroupOperations(context: context).changeReplicas(increase: true)
        case "DecreaseReplicaCount":
            return try ReplicationGroupOperations(context: context).changeReplicas(increase: false)
        case "ModifyReplicationGroupShardConfiguration":
            return try ReplicationGroupOperations(context: context).modifyShards()
        case "TestFailover": return try ReplicationGroupOperations(context: context).testFailover()
        case "ListAllowedNodeTypeModifications": return try NodeTypeModifications(context: context).list()
        case "CreateCacheParameterGroup", "DescribeCacheParameterGroups", "DescribeCacheParameters",
            "DescribeEngineDefaultParameters", "ModifyCacheParameterGroup", "ResetCacheParameterGroup",
            "DeleteCacheParameterGroup":
            return try ParameterGroupOperations(context: context).handle()
        case "CreateCacheSubnetGroup", "ModifyCacheSubnetGroup", "DeleteCacheSubnetGroup", "DescribeCacheSubnetGroups":
            return try SubnetGroupOperations(context: context).handle()
        case "CreateCacheSecurityGroup", "DeleteCacheSecurityGroup", "DescribeCacheSecurityGroups",
            "AuthorizeCacheSecurityGroupIngress", "RevokeCacheSecurityGroupIngress":
            return try SecurityGroupOperations(context: context).handle()
        default:
            throw AWSError.invalidAction(call.operation.name)
        }
    }

    static func engineVersions(_ call: OperationCall) throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var versions = EngineCatalog.versions
        if let engine = call.string(.engine) { versions = versions.filter { $0.engine == engine.lowercased() } }
        if let version = call.string(.engineVersion) { versions = versions.filter { $0.version == version } }
        if let family = call.string(.cacheParameterGroupFamily) { versions = versions.filter { $0.family == family } }
        if call[.defaultOnly]?.boolValue == true {
            versions = versions.filter { EngineCatalog.defaultVersion[$0.engine] == $0.version }
        }
        let (page, next) = try Marker.page(
            versions, id: { "\($0.engine)/\($0.version)" }, marker: call.string(.marker), maxRecords: maxRecords)
        return .object([
            "CacheEngineVersions": .list(
                page.map {
                    .object([
                        "Engine": .string($0.engine), "EngineVersion": .string($0.version),
                        "CacheParameterGroupFamily": .string($0.family),
                        "CacheEngineDescription": .string(EngineCatalog.engineDescription[$0.engine] ?? $0.engine),
                        "CacheEngineVersionDescription": .string($0.description),
                    ])
                }),
            "Marker": next.map(ShapeValue.string),
        ])
    }
}
