import AWSModels
import AWSWire
import Foundation

/// A serverless cache (Redis OSS, Valkey or Memcached) as the state store keeps it.
struct ServerlessCacheRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    typealias Status = CacheStatus

    var name: String
    var description: String
    var engine: String
    var majorEngineVersion: String
    var usageLimits: ShapeValue?
    var kmsKeyId: String?
    var securityGroupIds: [String]
    var subnetIds: [String]
    var userGroupId: String?
    var snapshotRetentionLimit: Int
    var dailySnapshotTime: String
    var status: Status
    var readyAt: Date?
    var createTime: Date
    var arn: String
    var tags: [TagRecord]
    /// `vpc` (the default) or `public`.
    var connectionType: String? = nil
    /// An online migration into this cache (PrepareMigration until CompleteMigration).
    var migration: ServerlessMigration? = nil
    /// The data of the snapshots it was created from (SnapshotArnsToRestore), imported by its node.
    var restoreFrom: [String]? = nil

    static let kind = "elasticache.serverless"
    static let arnType = "serverlesscache"
    static let notFoundFault = ErrorShape.serverlessCacheNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "Serverless cache \(id) not found." }
    var id: String { name }

    /// The engines serverless caches run, with their major and full versions.
    static let versions: [String: (major: String, full: String)] = [
        "redis": ("7", "7.1"), "valkey": ("8", "8.0"), "memcached": ("1.6", "1.6.22"),
    ]

    func shapeValue(region: String, endpoints: any NodeEndpoints = SyntheticEndpoints()) -> ShapeValue {
        var port = engine == "memcached" ? 11211 : 6379
        var host =
            "\(name)-\(SyntheticEndpoints.hash(arn)).serverless.\(SyntheticEndpoints.domain(region))"
        // The reader endpoint is the next port, as on AWS; a cache whose node is a process here
        // answers where cachetrail's proxies to it do.
        var reader = (host, port + 1)
        if !(endpoints is SyntheticEndpoints) {
            let real = endpoint(endpoints, region: region)
            if !real.address.hasSuffix(SyntheticEndpoints.domain(region)) {
                (host, port) = real
                reader =
                    nodeGroup.map { endpoints.replicationGroup($0, nodeGroup: "0001", reader: true) }
                    ?? endpoints.serverlessReader(nodeCluster, region: region)
            }
        }
        let ready = status != .creating
        return .object([
            "ServerlessCacheName": .string(name), "Description": .string(description),
            "CreateTime": .timestamp(createTime), "Status": .string(status.rawValue), "Engine": .string(engine),
            "MajorEngineVersion": .string(majorEngineVersion),
            "FullEngineVersion": .string(Self.versions[engine]?.full ?? majorEngineVersion),
            "CacheUsageLimits": usageLimits, "KmsKeyId": kmsKeyId.map(ShapeValue.string),
            "SecurityGroupIds": .list(securityGroupIds.map(ShapeValue.string)),
            "Endpoint": ready ? .object(["Address": .string(host), "Port": .integer(Int64(port))]) : nil,
            "ReaderEndpoint": ready
                ? .object(["Address": .string(reader.0), "Port": .integer(Int64(reader.1))]) : nil,
            "ARN": .string(arn), "UserGroupId": userGroupId.map(ShapeValue.string),
            "SubnetIds": .list(subnetIds.map(ShapeValue.string)),
            "SnapshotRetentionLimit": engine == "memcached" ? nil : .integer(Int64(snapshotRetentionLimit)),
            "DailySnapshotTime": engine == "memcached" ? nil : .string(dailySnapshotTime),
            "NetworkType": .string("ipv4"), "ConnectionType": .string(connectionType ?? "vpc"),
            // Serverless caches are always encrypted at rest.
            "StorageEncryptionType": .string(kmsKeyId == nil ? "sse-elasticache" : "sse-kms"),
            "Migration": migration.map {
                .object([
                    "Status": .string($0.status.rawValue), "CutoverMode": $0.cutoverMode.map(ShapeValue.string),
                    // The migration endpoint is the cache's own endpoint.
                    "MigrationEndpoint": ready
                        ? .object(["Address": .string(host), "Port": .integer(Int64(port))]) : nil,
                ])
            },
        ])
    }
}

/// A serverless cache's online migration from a self-managed source.
struct ServerlessMigration: Sendable, Codable, Equatable {
    /// AWS does not enumerate these; cachetrail names each step after the call that leads to it.
    enum Status: String, Sendable, Codable {
        case prepared, syncing, stopped, completed
    }

    var status: Status
    var sourceAddress: String
    var sourcePort: Int
    var tlsMode: String
    var cutoverMode: String?
}

/// A snapshot of a serverless cache.
struct ServerlessSnapshotRecord: Sendable, Codable, Equatable, LifecycleResource, TaggableResource {
    typealias Status = SnapshotStatus

    var name: String
    var arn: String
    var kmsKeyId: String?
    /// `manual` or `automated`.
    var type: String
    var status: Status
    var readyAt: Date?
    var createTime: Date
    var cacheName: String
    var engine: String
    var majorEngineVersion: String
    var tags: [TagRecord]
    /// The node whose data the snapshot saves (its cache's), and for a copy the data it shares.
    var sourceNode: String? = nil
    var rdbOf: String? = nil

    /// Where its node data is kept.
    var dataKey: String { rdbOf ?? arn }

    /// A new snapshot stays `creating` until its node's data is saved (as cluster snapshots do).
    func nodesReady(in context: ElastiCacheCall) throws -> Bool {
        guard status == .creating, let data = context.settings.snapshotData, sourceNode != nil else { return true }
        return data.saved(dataKey)
    }

    static let kind = "elasticache.serverless-snapshot"
    static let arnType = "serverlesscachesnapshot"
    static let notFoundFault = ErrorShape.serverlessCacheSnapshotNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "Serverless cache snapshot \(id) not found." }
    var id: String { name }

    var shapeValue: ShapeValue {
        .object([
            "ServerlessCacheSnapshotName": .string(name), "ARN": .string(arn),
            "KmsKeyId": kmsKeyId.map(ShapeValue.string), "SnapshotType": .string(type),
            "Status": .string(status.rawValue),
            "CreateTime": .timestamp(createTime), "BytesUsedForCache": .string("0"),
            "ServerlessCacheConfiguration": .object([
                "ServerlessCacheName": .string(cacheName), "Engine": .string(engine),
                "MajorEngineVersion": .string(majorEngineVersion),
            ]),
        ])
    }
}
