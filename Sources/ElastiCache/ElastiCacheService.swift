import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Limits and timings of the ElastiCache control plane.
public struct ElastiCacheSettings: Sendable {
    /// How long creating, modifying, rebooting and deleting take on the injected clock.
    public var lifecycleSeconds: TimeInterval = 5
    /// AWS's default quotas per account and region.
    public var clustersPerAccount = 300
    public var nodesPerAccount = 300
    public var nodesPerMemcachedCluster = 60
    public var endpoints: any NodeEndpoints = SyntheticEndpoints()
    /// Whether every node of a cluster answers (real node processes); a creating or rebooting
    /// cluster becomes available only then. Nil: nodes are addresses only, ready on time.
    public var nodesReady: (@Sendable (CacheClusterRecord) -> Bool)?
    /// Where CopySnapshot's TargetBucket and serverless exports write, if anywhere.
    public var exporter: SnapshotExporter?

    public init() {}
}

/// ElastiCache (Query, 2015-02-02): every operation of the model.
public struct ElastiCacheService: ServiceHandler {
    public let model = ServiceModel.elastiCache
    let settings: ElastiCacheSettings

    /// Every stored cache cluster of every account and region, as stored (for whoever runs
    /// their nodes).
    public static func storedClusters(in tx: any StateReader) throws -> [CacheClusterRecord] {
        try tx.listAll(CacheClusterRecord.self, kind: CacheClusterOperations.kind)
    }

    public init(settings: ElastiCacheSettings = ElastiCacheSettings()) {
        self.settings = settings
    }

    public func resource(for call: OperationCall) -> String? {
        let base = "arn:aws:elasticache:\(call.region):\(call.account)"
        if let arn = call.string("ResourceName") { return arn }
        if let id = call.string("CacheClusterId") { return "\(base):cluster:\(id.lowercased())" }
        if let id = call.string("ReplicationGroupId") { return "\(base):replicationgroup:\(id.lowercased())" }
        if let name = call.string("CacheParameterGroupName") { return "\(base):parametergroup:\(name.lowercased())" }
        if let name = call.string("CacheSubnetGroupName") { return "\(base):subnetgroup:\(name.lowercased())" }
        if let name = call.string("CacheSecurityGroupName") { return "\(base):securitygroup:\(name.lowercased())" }
        if let name = call.string("ServerlessCacheName") { return "\(base):serverlesscache:\(name.lowercased())" }
        if let id = call.string("UserGroupId") { return "\(base):usergroup:\(id)" }
        if let id = call.string("UserId") { return "\(base):user:\(id)" }
        if let name = call.string("SnapshotName") ?? call.string("SourceSnapshotName") {
            return "\(base):snapshot:\(name.lowercased())"
        }
        if call.operation.name.hasPrefix("DescribeCacheClusters") { return "\(base):cluster:*" }
        return "*"
    }

    /// The primary resource, then every other one the action names (``ElastiCacheAccess``).
    public func resources(for call: OperationCall) -> [String] {
        var seen = Set<String>()
        return ([resource(for: call)].compactMap { $0 } + ElastiCacheAccess.resources(for: call)).filter {
            seen.insert($0).inserted
        }
    }

    public func conditionKeys(for call: OperationCall) -> [String: [String]] {
        ElastiCacheAccess.conditionKeys(for: call)
    }

    /// Cache clusters and replication groups, with their tags.
    public func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource] {
        let scope = "\(account)/\(region)"
        func tags(_ list: [TagRecord]) -> [String: String] {
            Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        }
        return try tx.list(CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: scope).map {
            TaggedResource(arn: $0.arn, tags: tags($0.tags))
        }
            + tx.list(ReplicationGroupRecord.self, kind: ReplicationGroupOperations.kind, scope: scope).map {
                TaggedResource(arn: $0.arn, tags: tags($0.tags))
            }
    }

    public func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let clusters = CacheClusterOperations(call: call, tx: tx, settings: settings)
        switch call.operation.name {
        case "CreateCacheCluster": return try clusters.create()
        case "DescribeCacheClusters": return try clusters.describe()
        case "ModifyCacheCluster": return try clusters.modify()
        case "DeleteCacheCluster": return try clusters.delete()
        case "RebootCacheCluster": return try clusters.reboot()
        case "AddTagsToResource", "ListTagsForResource", "RemoveTagsFromResource":
            return try TagOperations(clusters: clusters).handle()
        case "DescribeCacheEngineVersions": return try Self.engineVersions(call)
        case "DescribeEvents": return try ServiceEvents(clusters: clusters).describe()
        case "DescribeSnapshots": return try SnapshotOperations(clusters: clusters).describe()
        case "CreateUser": return try UserOperations(clusters: clusters).createUser()
        case "ModifyUser": return try UserOperations(clusters: clusters).modifyUser()
        case "DeleteUser": return try UserOperations(clusters: clusters).deleteUser()
        case "DescribeUsers": return try UserOperations(clusters: clusters).describeUsers()
        case "CreateUserGroup": return try UserOperations(clusters: clusters).createGroup()
        case "ModifyUserGroup": return try UserOperations(clusters: clusters).modifyGroup()
        case "DeleteUserGroup": return try UserOperations(clusters: clusters).deleteGroup()
        case "DescribeUserGroups": return try UserOperations(clusters: clusters).describeGroups()
        case "CreateServerlessCache": return try ServerlessOperations(clusters: clusters).create()
        case "ModifyServerlessCache": return try ServerlessOperations(clusters: clusters).modify()
        case "DeleteServerlessCache": return try ServerlessOperations(clusters: clusters).delete()
        case "DescribeServerlessCaches": return try ServerlessOperations(clusters: clusters).describe()
        case "CreateServerlessCacheSnapshot", "CopyServerlessCacheSnapshot", "DeleteServerlessCacheSnapshot",
            "DescribeServerlessCacheSnapshots", "ExportServerlessCacheSnapshot":
            let snapshots = ServerlessSnapshotOperations(serverless: ServerlessOperations(clusters: clusters))
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
            return try GlobalDatastoreOperations(clusters: clusters).handle()
        case "DescribeReservedCacheNodesOfferings":
            return try ReservedNodeOperations(clusters: clusters).describeOfferings()
        case "PurchaseReservedCacheNodesOffering": return try ReservedNodeOperations(clusters: clusters).purchase()
        case "DescribeReservedCacheNodes": return try ReservedNodeOperations(clusters: clusters).describe()
        case "DescribeServiceUpdates": return try ServiceUpdateOperations(clusters: clusters).describeUpdates()
        case "DescribeUpdateActions": return try ServiceUpdateOperations(clusters: clusters).describeActions()
        case "BatchApplyUpdateAction": return try ServiceUpdateOperations(clusters: clusters).batch(apply: true)
        case "BatchStopUpdateAction": return try ServiceUpdateOperations(clusters: clusters).batch(apply: false)
        case "StartMigration": return try MigrationOperations(clusters: clusters).start()
        case "TestMigration": return try MigrationOperations(clusters: clusters).test()
        case "CompleteMigration": return try MigrationOperations(clusters: clusters).complete()
        case "CreateSnapshot": return try SnapshotOperations(clusters: clusters).create()
        case "CopySnapshot": return try SnapshotOperations(clusters: clusters).copy()
        case "DeleteSnapshot": return try SnapshotOperations(clusters: clusters).delete()
        case "CreateReplicationGroup": return try ReplicationGroupOperations(clusters: clusters).create()
        case "DescribeReplicationGroups": return try ReplicationGroupOperations(clusters: clusters).describe()
        case "ModifyReplicationGroup": return try ReplicationGroupOperations(clusters: clusters).modify()
        case "DeleteReplicationGroup": return try ReplicationGroupOperations(clusters: clusters).delete()
        case "IncreaseReplicaCount":
            return try ReplicationGroupOperations(clusters: clusters).changeReplicas(increase: true)
        case "DecreaseReplicaCount":
            return try ReplicationGroupOperations(clusters: clusters).changeReplicas(increase: false)
        case "ModifyReplicationGroupShardConfiguration":
            return try ReplicationGroupOperations(clusters: clusters).modifyShards()
        case "TestFailover": return try ReplicationGroupOperations(clusters: clusters).testFailover()
        case "ListAllowedNodeTypeModifications": return try NodeTypeModifications(clusters: clusters).list()
        case "CreateCacheParameterGroup", "DescribeCacheParameterGroups", "DescribeCacheParameters",
            "DescribeEngineDefaultParameters", "ModifyCacheParameterGroup", "ResetCacheParameterGroup",
            "DeleteCacheParameterGroup":
            return try ParameterGroupOperations(clusters: clusters).handle()
        case "CreateCacheSubnetGroup", "ModifyCacheSubnetGroup", "DeleteCacheSubnetGroup", "DescribeCacheSubnetGroups":
            return try SubnetGroupOperations(clusters: clusters).handle()
        case "CreateCacheSecurityGroup", "DeleteCacheSecurityGroup", "DescribeCacheSecurityGroups",
            "AuthorizeCacheSecurityGroupIngress", "RevokeCacheSecurityGroupIngress":
            return try SecurityGroupOperations(clusters: clusters).handle()
        default:
            throw AWSError.invalidAction(call.operation.name)
        }
    }

    static func engineVersions(_ call: OperationCall) throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int("MaxRecords"))
        var versions = EngineCatalog.versions
        if let engine = call.string("Engine") { versions = versions.filter { $0.engine == engine.lowercased() } }
        if let version = call.string("EngineVersion") { versions = versions.filter { $0.version == version } }
        if let family = call.string("CacheParameterGroupFamily") { versions = versions.filter { $0.family == family } }
        if call.input[member: "DefaultOnly"]?.boolValue == true {
            versions = versions.filter { EngineCatalog.defaultVersion[$0.engine] == $0.version }
        }
        let (page, next) = try Marker.page(
            versions, id: { "\($0.engine)/\($0.version)" }, marker: call.string("Marker"), maxRecords: maxRecords)
        return .object([
            "CacheEngineVersions": .list(
                page.map {
                    .object([
                        "Engine": .string($0.engine), "EngineVersion": .string($0.version),
                        "CacheParameterGroupFamily": .string($0.family), "CacheEngineDescription": .string($0.engine),
                        "CacheEngineVersionDescription": .string($0.description),
                    ])
                }),
            "Marker": next.map(ShapeValue.string),
        ])
    }
}
