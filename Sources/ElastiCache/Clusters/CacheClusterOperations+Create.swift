import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

extension CacheClusterOperations {
    /// A cluster a CreateCacheCluster call asks for, built before the writer's transaction
    /// (``ElastiCacheService/stage(_:)``): checking the input, building the record, encoding
    /// its document and rendering the answer need no state, and were some two fifths of a
    /// create's time on the writer. The transaction only checks what needs state and stores it.
    struct NewCluster: StagedAnswer {
        var record: CacheClusterRecord
        /// The engine version's parameter group family.
        var family: String
        var document: Data
        var answer: ShapeValue
    }

    /// The cluster `call` asks for, when it restores no snapshot (a restore reads its snapshot
    /// in the transaction); nil when the input is refused, which `create` then answers.
    static func staged(_ call: OperationCall, settings: ElastiCacheSettings) -> NewCluster? {
        guard call[.snapshotName] == nil, call[.snapshotArns] == nil,
            let id = try? checkedId(call),
            let (record, family) = try? newCluster(call, settings: settings, id: id, source: nil),
            let document = try? DocumentEncoder.encode(record)
        else { return nil }
        // Encoded: its event's response elements are rendered before the transaction too.
        let answer = ShapeValue.object([
            "CacheCluster": .encoded(
                EncodedValue(record.shapeValue(region: call.region, showNodes: false, endpoints: settings.endpoints)))
        ])
        return NewCluster(record: record, family: family, document: document, answer: answer)
    }

    func create() throws -> ShapeValue {
        let staged = call.staged as? NewCluster
        let cluster: CacheClusterRecord
        let family: String
        if let staged {
            (cluster, family) = (staged.record, staged.family)
        } else {
            let id = try Self.checkedId(call)
            // A restore takes the snapshot's engine, version and node type unless the call names them.
            let source = try SnapshotOperations(context: context).restoreSource()
            (cluster, family) = try Self.newCluster(call, settings: settings, id: id, source: source)
        }
        // Read before the cluster is stored: a usage never stored is counted from the clusters.
        var current = try usage()
        // Stored first, unless the id is taken (one statement for the check and the write); a
        // refusal below rolls it back with the rest of the call.
        let document = try staged?.document ?? DocumentEncoder.encode(cluster)
        guard try tx.putNew(body: document, kind: Self.kind, scope: scope, id: cluster.id) else {
            throw call.error(.cacheClusterAlreadyExistsFault, "Cache cluster \(cluster.id) already exists.")
        }
        guard current.clusters < settings.clustersPerAccount else {
            throw call.error(.clusterQuotaForCustomerExceededFault, "Cluster quota exceeded for customer.")
        }
        guard current.nodes + cluster.numCacheNodes <= settings.nodesPerAccount else {
            throw call.error(.nodeQuotaForCustomerExceededFault, "Node quota exceeded for customer.")
        }
        if let name = call.string(.cacheParameterGroupName) { try checkParameterGroup(name, family: family) }
        if let name = call.string(.cacheSubnetGroupName) {
            _ = try SubnetGroupOperations(context: context).group(name)
        }
        for name in context.strings(.cacheSecurityGroupNames) ?? [] {
            _ = try SecurityGroupOperations(context: context).group(name)
        }
        current.clusters += 1
        current.nodes += cluster.numCacheNodes
        try tx.put(current, kind: Usage.kind, scope: scope, id: Usage.id)
        return staged?.answer ?? .object(["CacheCluster": render(cluster)])
    }

    /// The cluster id a create names, checked; a cluster joins a replication group only
    /// through IncreaseReplicaCount.
    private static func checkedId(_ call: OperationCall) throws -> String {
        let id = try ClusterValidation.clusterId(try call.required(.cacheClusterId))
        if call.string(.replicationGroupId) != nil {
            throw AWSError.invalidParameterValue(
                "Adding a cluster to a replication group with CreateCacheCluster is not served; use IncreaseReplicaCount."
            )
        }
        return id
    }

    /// The new cluster `call` describes (restored from `source`, if any), with its version's
    /// parameter group family: every check of the input that needs no state.
    private static func newCluster(
        _ call: OperationCall, settings: ElastiCacheSettings, id: String, source: SnapshotRecord?
    ) throws -> (CacheClusterRecord, family: String) {
        let engine = try ClusterValidation.engine(try source?.engine ?? requiredForCreate(call, .engine))
        let version = try ClusterValidation.engineVersion(
            engine: engine,
            call.string(.engineVersion) ?? source?.engineVersion ?? EngineCatalog.defaultVersion[engine] ?? "")
        let nodeType = try ClusterValidation.nodeType(try source?.nodeType ?? requiredForCreate(call, .cacheNodeType))
        let count = call.int(.numCacheNodes) ?? 1
        if engine != "memcached" && count != 1 {
            throw AWSError.invalidParameterValue(
                "Cannot create a \(engine == "redis" ? "Redis" : "Valkey") cluster with a NumCacheNodes parameter greater than 1."
            )
        }
        guard count >= 1 else { throw AWSError.invalidParameterValue("NumCacheNodes must be at least 1.") }
        guard count <= settings.nodesPerMemcachedCluster else {
            throw call.error(
                .nodeQuotaForClusterExceededFault,
                "Cluster node quota exceeded: at most \(settings.nodesPerMemcachedCluster) nodes per cluster.")
        }
        let azMode = call.string(.azMode) ?? "single-az"
        if azMode == "cross-az" && engine != "memcached" {
            throw call.error(
                .invalidParameterCombinationException, "AZMode cross-az is only supported for Memcached clusters.")
        }
        if azMode == "cross-az" && count < 2 {
            throw call.error(
                .invalidParameterCombinationException, "AZMode cross-az requires NumCacheNodes of at least 2.")
        }
        if call.string(.authToken) != nil && engine == "memcached" {
            throw call.error(.invalidParameterCombinationException, "AuthToken is not supported for Memcached.")
        }
        let transit = try TransitEncryption.created(call, userGroups: false)
        // A standalone cluster has in-transit encryption on Memcached only; Redis OSS and Valkey
        // have it in replication groups (AWS's message, quoted in terraform-provider-aws#49066
        // and aws-cdk#27379).
        if transit.enabled && engine != "memcached" {
            throw call.error(
                .invalidParameterCombinationException,
                "Encryption feature is not supported for engine \(engine.uppercased()).")
        }
        let window = try call.string(.preferredMaintenanceWindow).map(ClusterValidation.maintenanceWindow)
        let tags = try TagOperations.tags(call[.tags])
        let securityGroupNames = call.strings(.cacheSecurityGroupNames)
        let securityGroupIds = call.strings(.securityGroupIds)
        // Named into neither a subnet group nor VPC security groups, a cluster lands in the
        // region's default VPC (its `default` subnet group), unless it names cache security
        // groups or its node type is one that ran in EC2-Classic (the seed's cache.m1.small).
        let namedInVPC = call.string(.cacheSubnetGroupName) != nil || securityGroupIds != nil
        let defaultVPC =
            !namedInVPC && securityGroupNames == nil
            && !Self.classicFamilies.contains(String(EngineCatalog.nodeFamily(of: nodeType)))
        let inVPC = namedInVPC || defaultVPC
        var cluster = CacheClusterRecord(
            id: id, arn: call.elastiCacheARN("cluster", id),
            engine: engine, engineVersion: version.version, nodeType: nodeType, status: .creating, readyAt: nil,
            numCacheNodes: count,
            nodes: (1...count).map {
                CacheNodeRecord(id: CacheNodeRecord.id(number: $0), createTime: call.now, status: "creating")
            },
            azMode: azMode,
            preferredAvailabilityZone: azMode == "cross-az"
                ? "Multiple" : call.string(.preferredAvailabilityZone) ?? "\(call.region)a",
            parameterGroup: call.string(.cacheParameterGroupName) ?? "default.\(version.family)",
            maintenanceWindow: window ?? "sun:05:00-sun:06:00",
            port: call.int(.port) ?? EngineCatalog.defaultPort[engine] ?? 6379,
            createTime: nil, pending: nil,
            // A cluster in a VPC has no EC2-Classic cache security groups; an EC2-Classic one
            // answers as the seed's record does, with the `default` cache security group.
            cacheSecurityGroupNames: securityGroupNames ?? (inVPC ? [] : ["default"]),
            securityGroupIds: securityGroupIds ?? [],
            subnetGroup: call.string(.cacheSubnetGroupName) ?? (defaultVPC ? "default" : nil),
            autoMinorVersionUpgrade: call[.autoMinorVersionUpgrade]?.boolValue ?? true,
            snapshotRetentionLimit: call.int(.snapshotRetentionLimit) ?? 0,
            snapshotWindow: call.string(.snapshotWindow),
            authTokenEnabled: call.string(.authToken) != nil,
            transitEncryptionEnabled: transit.enabled,
            notificationTopicArn: call.string(.notificationTopicArn), replicationGroupId: nil, tags: tags)
        cluster.authTokens = call.string(.authToken).map { [SealedSecret($0)] }
        cluster.logDelivery = try LogDelivery.apply(call, engine: engine, to: nil)
        cluster.restoreFrom = source?.dataKey
        lifecycle(settings).begin(.creating, &cluster, now: call.now)
        return (cluster, version.family)
    }

    /// Engine and CacheNodeType have no default on AWS: a new cluster needs them.
    private static func requiredForCreate(_ call: OperationCall, _ member: MemberName) throws -> String {
        guard let value = call.string(member), !value.isEmpty else {
            throw AWSError.invalidParameterValue("The parameter \(member) must be provided and must not be blank.")
        }
        return value
    }
}
