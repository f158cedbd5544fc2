import Foundation
import Testing

@testable import CacheTrailServer

/// In-transit encryption's rules as AWS answers them (issue 21): an AUTH token needs it, its
/// mode only with it, `preferred` not with RBAC, and an existing group's two-step migration.
extension GatewayTests {
    @Suite struct TransitEncryptionRules {
        static let group = [
            "ReplicationGroupId": "g1", "ReplicationGroupDescription": "g", "Engine": "redis",
            "CacheNodeType": "cache.t3.micro", "NumCacheClusters": "1",
        ]

        func modify(_ harness: GatewayHarness, _ changes: [String: String]) async -> Answer {
            let answer = await harness.query(
                "ModifyReplicationGroup",
                changes.merging(["ReplicationGroupId": "g1", "ApplyImmediately": "true"]) { a, _ in a })
            harness.advance(60)
            return answer
        }

        @Test func anAuthTokenNeedsTransitEncryption() async throws {
            let harness = try await GatewayHarness()
            let cluster = ["CacheClusterId": "c1", "Engine": "redis", "CacheNodeType": "cache.t3.micro"]
            let refused = await harness.query(
                "CreateCacheCluster", cluster.merging(["AuthToken": "token-0123456789abcdef"]) { a, _ in a })
            #expect(refused.errorCode == "InvalidParameterValue")
            #expect(
                refused.value("Message") == "The AUTH token is only supported when encryption-in-transit is enabled")
            #expect(
                await harness.query(
                    "CreateReplicationGroup", Self.group.merging(["AuthToken": "token-0123456789abcdef"]) { a, _ in a }
                ).errorCode == "InvalidParameterValue")
            // A standalone Redis OSS/Valkey cluster cannot have in-transit encryption (AWS's
            // message), so no AuthToken either; a Memcached one can.
            let standalone = await harness.query(
                "CreateCacheCluster",
                cluster.merging(["AuthToken": "token-0123456789abcdef", "TransitEncryptionEnabled": "true"]) { a, _ in a
                })
            #expect(standalone.errorCode == "InvalidParameterCombination")
            #expect(standalone.value("Message") == "Encryption feature is not supported for engine REDIS.")
            let memcached = await harness.query(
                "CreateCacheCluster",
                [
                    "CacheClusterId": "m1", "Engine": "memcached", "CacheNodeType": "cache.t3.micro",
                    "TransitEncryptionEnabled": "true",
                ])
            #expect(memcached.value("TransitEncryptionMode") == "required")
            harness.advance(60)
            let plain = await harness.query(
                "CreateCacheCluster", ["CacheClusterId": "c2", "Engine": "redis", "CacheNodeType": "cache.t3.micro"])
            #expect(plain.value("TransitEncryptionEnabled") == "false" && plain.value("TransitEncryptionMode") == nil)
            harness.advance(60)
            #expect(
                await harness.query(
                    "ModifyCacheCluster", ["CacheClusterId": "c2", "AuthToken": "token-0123456789abcdef"]
                ).errorCode == "InvalidParameterValue")
        }

        @Test func aModeComesWithTransitEncryptionAndPreferredNotWithRBAC() async throws {
            let harness = try await GatewayHarness()
            #expect(
                await harness.query(
                    "CreateReplicationGroup", Self.group.merging(["TransitEncryptionMode": "preferred"]) { a, _ in a }
                ).errorCode == "InvalidParameterCombination")
            let user = [
                "UserId": "u1", "UserName": "app", "Engine": "redis", "AccessString": "on ~* +@all",
                "NoPasswordRequired": "true",
            ]
            #expect(await harness.query("CreateUser", user).status == 200)
            #expect(
                await harness.query(
                    "CreateUserGroup",
                    ["UserGroupId": "ug", "Engine": "redis", "UserIds.member.1": "u1", "UserIds.member.2": "default"]
                ).status == 200)
            harness.advance(60)
            let rbac = await harness.query(
                "CreateReplicationGroup",
                Self.group.merging([
                    "TransitEncryptionEnabled": "true", "TransitEncryptionMode": "preferred",
                    "UserGroupIds.member.1": "ug",
                ]) { a, _ in a })
            #expect(rbac.errorCode == "InvalidParameterCombination")
            #expect(rbac.value("Message") == "Transit encryption preferred is not supported with redis access control.")
            let preferred = await harness.query(
                "CreateReplicationGroup",
                Self.group.merging(["TransitEncryptionEnabled": "true", "TransitEncryptionMode": "preferred"]) { a, _ in
                    a
                })
            #expect(preferred.value("TransitEncryptionMode") == "preferred")
            harness.advance(60)
            #expect(
                await modify(harness, ["UserGroupIdsToAdd.member.1": "ug"]).errorCode == "InvalidParameterCombination")
            // User groups need in-transit encryption at all (AWS's message).
            let plain = await harness.query(
                "CreateReplicationGroup",
                Self.group.merging(["ReplicationGroupId": "g2", "UserGroupIds.member.1": "ug"]) { _, b in b })
            #expect(plain.errorCode == "InvalidParameterCombination")
            #expect(
                plain.value("Message")
                    == "User group based access control requires encryption-in-transit to be enabled on the replication group."
            )
        }

        /// An existing group turns encryption on in mode preferred, then required; off again
        /// only from preferred; its members follow.
        @Test func anExistingGroupMigratesInTwoSteps() async throws {
            let harness = try await GatewayHarness()
            #expect(await harness.query("CreateReplicationGroup", Self.group).status == 200)
            harness.advance(60)
            #expect(
                await modify(harness, ["TransitEncryptionEnabled": "true"]).errorCode == "InvalidParameterCombination")
            #expect(
                await modify(harness, ["TransitEncryptionMode": "required"]).errorCode == "InvalidParameterCombination")
            let on = await modify(harness, ["TransitEncryptionEnabled": "true", "TransitEncryptionMode": "preferred"])
            #expect(on.value("TransitEncryptionEnabled") == "true" && on.value("TransitEncryptionMode") == "preferred")
            let member = await harness.query("DescribeCacheClusters", ["CacheClusterId": "g1-001"])
            #expect(member.value("TransitEncryptionMode") == "preferred")
            #expect(
                await modify(harness, ["TransitEncryptionMode": "required"]).value("TransitEncryptionMode")
                    == "required")
            #expect(
                await modify(harness, ["TransitEncryptionEnabled": "false"]).errorCode == "InvalidParameterCombination")
            #expect(await modify(harness, ["TransitEncryptionMode": "preferred"]).status == 200)
            let off = await modify(harness, ["TransitEncryptionEnabled": "false"])
            #expect(off.value("TransitEncryptionEnabled") == "false" && off.value("TransitEncryptionMode") == nil)
        }
    }
}
