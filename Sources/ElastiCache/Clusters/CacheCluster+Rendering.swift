import AWSWire

extension CacheClusterRecord {
    /// The cluster's region, from its ARN.
    var region: String { arn.split(separator: ":").dropFirst(3).first.map(String.init) ?? "" }

    /// Cross-AZ clusters spread their nodes over the region's zones a, b and c.
    func availabilityZone(of node: CacheNodeRecord) -> String {
        guard azMode == "cross-az" else { return preferredAvailabilityZone }
        let zones = ["a", "b", "c"]
        return region + zones[((Int(node.id) ?? 1) - 1) % zones.count]
    }

    /// The `CacheCluster` shape of this cluster, as the API answers it.
    func shapeValue(region: String, showNodes: Bool, endpoints: any NodeEndpoints) -> ShapeValue {
        let available = status != .creating
        let pendingValue: ShapeValue = .object([
            "NumCacheNodes": pending?.numCacheNodes.map { .integer(Int64($0)) },
            "CacheNodeIdsToRemove": pending?.cacheNodeIdsToRemove.map { .list($0.map(ShapeValue.string)) },
            "EngineVersion": pending?.engineVersion.map(ShapeValue.string),
            "CacheNodeType": pending?.cacheNodeType.map(ShapeValue.string),
        ])
        var configurationEndpoint: ShapeValue?
        if engine == "memcached" && available {
            let endpoint = endpoints.configuration(self, region: region)
            configurationEndpoint = .object([
                "Address": .string(endpoint.address), "Port": .integer(Int64(endpoint.port)),
            ])
        }
        let nodeValues: ShapeValue? =
            showNodes
            ? .list(
                nodes.map { node in
                    let endpoint = endpoints.node(self, nodeId: node.id, region: region)
                    return .object([
                        "CacheNodeId": .string(node.id), "CacheNodeStatus": .string(node.status),
                        "CacheNodeCreateTime": .timestamp(node.createTime),
                        "Endpoint": available
                            ? .object(["Address": .string(endpoint.address), "Port": .integer(Int64(endpoint.port))])
                            : nil,
                        "ParameterGroupStatus": .string("in-sync"),
                        "CustomerAvailabilityZone": .string(availabilityZone(of: node)),
                    ])
                }) : nil
        let isRedisLike = engine != "memcached"
        return .object([
            "CacheClusterId": .string(id),
            "ConfigurationEndpoint": configurationEndpoint,
            "ClientDownloadLandingPage": .string("https://console.aws.amazon.com/elasticache/home#client-download:"),
            "CacheNodeType": .string(nodeType),
            "Engine": .string(engine),
            "EngineVersion": .string(engineVersion),
            "CacheClusterStatus": .string(status.rawValue),
            "NumCacheNodes": .integer(Int64(numCacheNodes)),
            "PreferredAvailabilityZone": .string(preferredAvailabilityZone),
            "CacheClusterCreateTime": createTime.map(ShapeValue.timestamp),
            "PreferredMaintenanceWindow": .string(maintenanceWindow),
            "PendingModifiedValues": pendingValue,
            "NotificationConfiguration": notificationTopicArn.map {
                .object(["TopicArn": .string($0), "TopicStatus": .string("active")])
            },
            "LogDeliveryConfigurations": LogDelivery.render(logDelivery),
            "CacheSecurityGroups": .list(
                cacheSecurityGroupNames.map {
                    .object(["CacheSecurityGroupName": .string($0), "Status": .string("active")])
                }),
            "CacheParameterGroup": .object([
                "CacheParameterGroupName": .string(parameterGroup),
                "ParameterApplyStatus": .string(parameterApplyStatus ?? "in-sync"),
                "CacheNodeIdsToReboot": .list([]),
            ]),
            "CacheSubnetGroupName": subnetGroup.map(ShapeValue.string),
            "CacheNodes": nodeValues,
            "AutoMinorVersionUpgrade": .boolean(autoMinorVersionUpgrade),
            "SecurityGroups": securityGroupIds.isEmpty
                ? nil
                : .list(
                    securityGroupIds.map { .object(["SecurityGroupId": .string($0), "Status": .string("active")]) }),
            "ReplicationGroupId": replicationGroupId.map(ShapeValue.string),
            "SnapshotRetentionLimit": isRedisLike ? .integer(Int64(snapshotRetentionLimit)) : nil,
            // Redis OSS/Valkey clusters have a daily window even without automatic snapshots.
            "SnapshotWindow": isRedisLike
                ? .string(snapshotWindow ?? ReplicationGroupRecord.defaultSnapshotWindow) : nil,
            "AuthTokenEnabled": .boolean(authTokenEnabled),
            "TransitEncryptionEnabled": .boolean(transitEncryptionEnabled),
            "TransitEncryptionMode": transit.mode.map(ShapeValue.string),
            "AtRestEncryptionEnabled": .boolean(false),
            "ARN": .string(arn),
            "ReplicationGroupLogDeliveryEnabled": .boolean(false),
            "NetworkType": .string("ipv4"),
            "IpDiscovery": .string("ipv4"),
        ])
    }
}
