import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract
import Testing

@testable import CloudTrail

/// The seed's three records are test vectors: the recorder must produce every field of each,
/// with the same JSON type, equal where the value is not per call.
struct SeedRecordTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/seed-records")

    /// Fields that differ per call (or by record format version) but must keep their type.
    static let perCall: Set<String> = ["eventVersion", "eventTime", "requestID", "eventID"]

    static let user = Principal(
        kind: .iamUser, principalId: "EXAMPLEEXAMPLEEXAMPLE", arn: "arn:aws:iam::123456789012:user/elasticache-allow",
        accountId: "123456789012", accessKeyId: "AKIAIOSFODNN7EXAMPLE", userName: "elasticache-allow",
        policyUser: "elasticache-allow")

    static func fixture(_ name: String) throws -> [String: JSONValue] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(name).json"))
        guard case .object(let fields) = try JSONValue.parse([UInt8](data)) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return fields
    }

    static func record(_ operation: String, input: ShapeValue, output: ShapeValue?) throws -> [String: JSONValue] {
        let model = ServiceModel.elastiCache
        let context = CallContext(
            model: model, eventName: operation, operation: model.operations[operation], input: input, principal: user,
            region: "us-west-2", requestID: "r", sourceIP: "192.0.2.01",
            userAgent: "Amazon CLI/ElastiCache 1.10 API 2014-12-01", time: Date(timeIntervalSince1970: 1_417_471_235))
        let entry = EventRecorder().entry(for: context, output: output, error: nil)
        guard case .object(let fields) = try JSONValue.parse(entry.record) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return fields
    }

    /// Every key of `expected` is in `actual` with the same type, and equal unless per call.
    static func expectCovers(_ expected: [String: JSONValue], _ actual: [String: JSONValue], path: String = "") {
        for (key, value) in expected {
            let here = path.isEmpty ? key : "\(path).\(key)"
            guard let got = actual[key] else {
                Issue.record("missing \(here)")
                continue
            }
            switch (value, got) {
            case (.object(let e), .object(let a)): expectCovers(e, a, path: here)
            case (.string, .string) where perCall.contains(key): break
            default: #expect(value == got, "\(here)")
            }
        }
    }

    static func cacheCluster(status: String, pending: ShapeFields, created: Date?) -> ShapeValue {
        .object([
            "Engine": .string("memcached"),
            "ClientDownloadLandingPage": .string("&url-console-domain;elasticache/home#client-download:"),
            "CacheParameterGroup": .object([
                "CacheParameterGroupName": .string("default.memcached1.4"), "CacheNodeIdsToReboot": .list([]),
                "ParameterApplyStatus": .string("in-sync"),
            ]),
            "PreferredAvailabilityZone": .string("Multiple"), "NumCacheNodes": .integer(2),
            "CacheNodeType": .string("cache.m1.small"), "CacheClusterStatus": .string(status),
            "AutoMinorVersionUpgrade": .boolean(true), "PreferredMaintenanceWindow": .string("thu:05:00-thu:06:00"),
            "CacheClusterId": .string("test-memcached"), "EngineVersion": .string("1.4.14"),
            "CacheSecurityGroups": .list([
                .object(["Status": .string("active"), "CacheSecurityGroupName": .string("default")])
            ]),
            "PendingModifiedValues": .structure(pending),
            "CacheClusterCreateTime": created.map(ShapeValue.timestamp),
            "ConfigurationEndpoint": created.map { _ in
                .object([
                    "Address": .string("test-memcached.example.cfg.use1prod.cache.amazonaws.com"),
                    "Port": .integer(11211),
                ])
            },
        ])
    }

    @Test func describeCacheClusters() throws {
        let record = try Self.record(
            "DescribeCacheClusters",
            input: .object(["ShowCacheNodeInfo": .boolean(false), "MaxRecords": .integer(100)]),
            output: .object(["CacheClusters": .list([])]))
        Self.expectCovers(try Self.fixture("DescribeCacheClusters"), record)
        #expect(record["readOnly"] == .bool(true))
        #expect(record["eventVersion"] == .string("1.11"))
    }

    @Test func createCacheCluster() throws {
        let record = try Self.record(
            "CreateCacheCluster",
            input: .object([
                "NumCacheNodes": .integer(2), "CacheClusterId": .string("test-memcached"),
                "Engine": .string("memcached"),
                "AZMode": .string("cross-az"), "CacheNodeType": .string("cache.m1.small"),
            ]),
            output: .object(["CacheCluster": Self.cacheCluster(status: "creating", pending: [:], created: nil)]))
        Self.expectCovers(try Self.fixture("CreateCacheCluster"), record)
        #expect(record["readOnly"] == .bool(false))
    }

    @Test func modifyCacheCluster() throws {
        let created = try #require(
            Calendar(identifier: .gregorian).date(
                from: DateComponents(
                    timeZone: TimeZone(secondsFromGMT: 0), year: 2014, month: 12, day: 1, hour: 22, minute: 16,
                    second: 6)))
        let record = try Self.record(
            "ModifyCacheCluster",
            input: .object([
                "ApplyImmediately": .boolean(true), "NumCacheNodes": .integer(3),
                "CacheClusterId": .string("test-memcached"),
            ]),
            output: .object([
                "CacheCluster": Self.cacheCluster(
                    status: "modifying", pending: ["NumCacheNodes": .integer(3)], created: created)
            ]))
        Self.expectCovers(try Self.fixture("ModifyCacheCluster"), record)
    }
}
