import AWSModels
import AWSWire
import Foundation
import ServiceContract
import Testing

@testable import ElastiCache

/// The table of resources each action names, and the condition keys an input sets.
struct ResourceAccessTests {
    func call(_ operation: String, _ input: ShapeValue) throws -> OperationCall {
        OperationCall(
            model: .elastiCache, operation: try #require(ServiceModel.elastiCache.operations[operation]), input: input,
            principal: .root(account: "111122223333"), region: "eu-west-1", requestID: "r", sourceIP: "127.0.0.1",
            userAgent: "test", now: Date(timeIntervalSince1970: 0))
    }

    @Test func createReplicationGroupNamesEveryResourceItUses() throws {
        let input = ShapeValue.structure([
            "ReplicationGroupId": .string("Orders"), "CacheParameterGroupName": .string("params"),
            "CacheSubnetGroupName": .string("subnets"), "SnapshotName": .string("nightly"),
            "UserGroupIds": .list([.string("ug1"), .string("ug2")]),
            "GlobalReplicationGroupId": .string("ldgnf-global"),
        ])
        let arns = ElastiCacheService().resources(for: try call("CreateReplicationGroup", input))
        let base = "arn:aws:elasticache:eu-west-1:111122223333"
        #expect(
            arns == [
                "\(base):replicationgroup:orders", "\(base):parametergroup:params", "\(base):subnetgroup:subnets",
                "\(base):snapshot:nightly", "\(base):usergroup:ug1", "\(base):usergroup:ug2",
                "arn:aws:elasticache::111122223333:globalreplicationgroup:ldgnf-global",
            ])
    }

    @Test func conditionKeysComeFromTheInput() throws {
        let input = ShapeValue.structure([
            "CacheClusterId": .string("c"), "CacheNodeType": .string("cache.t4g.small"), "Engine": .string("redis"),
            "AuthToken": .string("secret-token-value"), "SnapshotRetentionLimit": .integer(3),
            "Tags": .list([.structure(["Key": .string("team"), "Value": .string("audit")])]),
        ])
        let keys = ElastiCacheService().conditionKeys(for: try call("CreateCacheCluster", input))
        #expect(keys["elasticache:CacheNodeType"] == ["cache.t4g.small"])
        #expect(keys["elasticache:EngineType"] == ["redis"])
        #expect(keys["elasticache:AuthTokenEnabled"] == ["true"])
        #expect(keys["elasticache:SnapshotRetentionLimit"] == ["3"])
        #expect(keys["aws:RequestTag/team"] == ["audit"])
        #expect(keys["aws:TagKeys"] == ["team"])
        // The token itself is never a condition value.
        #expect(!keys.values.contains { $0.contains("secret-token-value") })
    }

    @Test func nestedMembersAndClusterModeAreConditionKeysToo() throws {
        let serverless = ShapeValue.structure([
            "ServerlessCacheName": .string("s"), "Engine": .string("valkey"),
            "CacheUsageLimits": .structure([
                "DataStorage": .structure(["Maximum": .integer(10), "Unit": .string("GB")]),
                "ECPUPerSecond": .structure(["Maximum": .integer(5000), "Minimum": .integer(1000)]),
            ]),
        ])
        let keys = ElastiCacheService().conditionKeys(for: try call("CreateServerlessCache", serverless))
        #expect(keys["elasticache:MaximumDataStorage"] == ["10"])
        #expect(keys["elasticache:DataStorageUnit"] == ["GB"])
        #expect(keys["elasticache:MaximumECPUPerSecond"] == ["5000"])
        #expect(keys["elasticache:MinimumECPUPerSecond"] == ["1000"])
        #expect(keys["elasticache:MinimumDataStorage"] == nil)
        let user = ShapeValue.structure([
            "UserId": .string("u"), "AuthenticationMode": .structure(["Type": .string("iam")]),
        ])
        #expect(
            ElastiCacheService().conditionKeys(for: try call("CreateUser", user))["elasticache:UserAuthenticationMode"]
                == ["iam"])
        for (shards, enabled) in [(1, "false"), (3, "true")] {
            let group = ShapeValue.structure([
                "ReplicationGroupId": .string("g"), "NumNodeGroups": .integer(Int64(shards)),
            ])
            #expect(
                ElastiCacheService().conditionKeys(for: try call("CreateReplicationGroup", group))[
                    "elasticache:ClusterModeEnabled"] == [enabled])
        }
    }
}
