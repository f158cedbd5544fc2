import ElastiCache
import Foundation
import Persistence
import Testing

@testable import CacheTrailServer

/// Answers as AWS gives them where they differed (issue 21): defaults every account has, VPC
/// clusters, validation of what a call names.
extension GatewayTests {
    @Suite struct ElastiCacheFidelity {
        @Test func everyRegionHasADefaultSubnetGroupThatClustersLiveIn() async throws {
            let harness = try await GatewayHarness()
            let groups = await harness.query("DescribeCacheSubnetGroups")
            #expect(groups.values("CacheSubnetGroupName").first == "default")
            #expect(groups.values("SubnetIdentifier").count == 3)
            #expect(groups.value("VpcId")?.hasPrefix("vpc-") == true)
            #expect(
                await harness.query("DeleteCacheSubnetGroup", ["CacheSubnetGroupName": "default"]).errorCode
                    == "InvalidParameterValue")
            let named = await harness.query(
                "CreateCacheCluster",
                [
                    "CacheClusterId": "in-default", "Engine": "memcached", "CacheNodeType": "cache.t3.micro",
                    "CacheSubnetGroupName": "default",
                ])
            #expect(named.value("CacheSubnetGroupName") == "default")
            let unnamed = await harness.query(
                "CreateCacheCluster",
                ["CacheClusterId": "no-group", "Engine": "redis", "CacheNodeType": "cache.t3.micro"])
            // Named into neither: a VPC-only node type lands in the default VPC (as the AWS CLI's
            // create-cache-cluster example answers), one that ran in EC2-Classic answers as the
            // seed's record does.
            #expect(unnamed.value("CacheSubnetGroupName") == "default")
            #expect(unnamed.value("CacheSecurityGroupName") == nil)
            let classic = await harness.query(
                "CreateCacheCluster",
                ["CacheClusterId": "classic", "Engine": "memcached", "CacheNodeType": "cache.m1.small"])
            #expect(classic.value("CacheSubnetGroupName") == nil)
            #expect(classic.value("CacheSecurityGroupName") == "default")
            // A VPC cluster has no EC2-Classic cache security groups.
            #expect(
                named.body.contains("<CacheSecurityGroups/>")
                    || named.body.contains("<CacheSecurityGroups></CacheSecurityGroups>"))
            #expect(named.value("CacheSecurityGroupName") == nil)
        }

        @Test func catalogsAreWordedAsAWSWordsThem() async throws {
            let harness = try await GatewayHarness()
            let versions = await harness.query(
                "DescribeCacheEngineVersions", ["Engine": "redis", "EngineVersion": "7.1.0"])
            #expect(versions.value("CacheEngineDescription") == "Redis")
            #expect(versions.value("CacheEngineVersionDescription") == "redis version 7.1.0")
            let updates = await harness.query("DescribeServiceUpdates")
            #expect(!updates.values("ServiceUpdateName").isEmpty)
            #expect(updates.values("ServiceUpdateName").allSatisfy { $0.wholeMatch(of: /elc-\d{8}-\d{3}/) != nil })
        }

        @Test func endpointsShareOneSegmentPerAccountAndRegion() async throws {
            let harness = try await GatewayHarness()
            for id in ["seg-a", "seg-b"] {
                _ = await harness.query(
                    "CreateCacheCluster",
                    ["CacheClusterId": id, "Engine": "memcached", "CacheNodeType": "cache.t3.micro"])
            }
            harness.advance(5)
            let described = await harness.query("DescribeCacheClusters", ["ShowCacheNodeInfo": "true"])
            let segments = Set(described.values("Address").map { $0.split(separator: ".")[1] })
            #expect(segments.count == 1)
            #expect(segments.first?.count == 6)
        }

        @Test func aReplicationGroupNeedsAnExistingSubnetGroup() async throws {
            let harness = try await GatewayHarness()
            let group = [
                "ReplicationGroupId": "rg-sn", "ReplicationGroupDescription": "d", "Engine": "redis",
                "CacheNodeType": "cache.t3.micro", "CacheSubnetGroupName": "missing",
            ]
            #expect(await harness.query("CreateReplicationGroup", group).errorCode == "CacheSubnetGroupNotFoundFault")
            var inDefault = group
            inDefault["CacheSubnetGroupName"] = "default"
            #expect(await harness.query("CreateReplicationGroup", inDefault).status == 200)
            let member = await harness.query("DescribeCacheClusters", ["CacheClusterId": "rg-sn-001"])
            #expect(member.value("CacheSubnetGroupName") == "default")
        }
    }
}

extension GatewayTests {
    @Suite struct SnapshotAndTrailFidelity {
        @Test func snapshotsNameOneExistingSourceAndHaveNoSizeYet() async throws {
            let harness = try await GatewayHarness()
            await harness.createCluster("src", ["CacheSubnetGroupName": "default"])
            harness.advance(5)
            let both = ["SnapshotName": "s", "CacheClusterId": "src", "ReplicationGroupId": "rg"]
            #expect(await harness.query("CreateSnapshot", both).errorCode == "InvalidParameterCombination")
            #expect(
                await harness.query("DescribeSnapshots", ["CacheClusterId": "src", "ReplicationGroupId": "rg"])
                    .errorCode == "InvalidParameterCombination")
            #expect(
                await harness.query("DescribeSnapshots", ["CacheClusterId": "ghost"]).errorCode
                    == "CacheClusterNotFound")
            #expect(
                await harness.query("DescribeSnapshots", ["ReplicationGroupId": "ghost"]).errorCode
                    == "ReplicationGroupNotFoundFault")
            let created = await harness.query("CreateSnapshot", ["SnapshotName": "s", "CacheClusterId": "src"])
            #expect(created.body.contains("<CacheSize></CacheSize>") || created.body.contains("<CacheSize/>"))
            harness.advance(5)
            let described = await harness.query("DescribeSnapshots", ["SnapshotName": "s"])
            #expect(described.value("CacheSize") == "0 MB")
            // The source's placement and settings, as AWS's snapshots carry them.
            #expect(described.value("CacheSubnetGroupName") == "default")
            #expect(described.value("VpcId")?.hasPrefix("vpc-") == true)
            #expect(described.value("PreferredAvailabilityZone") == "us-west-2a")
            #expect(described.value("AutoMinorVersionUpgrade") == "true")
            #expect(described.value("SnapshotRetentionLimit") == "0")
        }

        @Test func trailNamesAreCheckedRuleByRuleAndUnknownTrailsNamedByArn() async throws {
            let harness = try await GatewayHarness()
            harness.region = "us-east-1"
            let short = try await harness.json("GetTrail", ["Name": "ab"])
            #expect(short.errorCode == "InvalidTrailNameException")
            #expect(
                (short.json?["message"] ?? short.json?["Message"]) as? String
                    == "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters."
            )
            let status = try await harness.json("GetTrailStatus", ["Name": "-bad"])
            #expect(status.errorCode == "InvalidTrailNameException")
            let missing = try await harness.json("GetTrail", ["Name": "nobody"])
            #expect(missing.errorCode == "TrailNotFoundException")
            #expect(
                (missing.json?["message"] ?? missing.json?["Message"]) as? String
                    == "Unknown trail: arn:aws:cloudtrail:us-east-1:\(GatewayHarness.account):trail/nobody for the user: \(GatewayHarness.account)"
            )
            let adjacent = try await harness.json("CreateTrail", ["Name": "a..b", "S3BucketName": "x"])
            #expect(
                (adjacent.json?["message"] ?? adjacent.json?["Message"]) as? String
                    == "Trail name cannot have adjacent periods, underscores or dashes.")
        }

        @Test func standardTopicsRefuseDeduplicationIds() async throws {
            let harness = try await GatewayHarness()
            let topic = await harness.query("CreateTopic", ["Name": "plain"], service: "sns", version: "2010-03-31")
            let arn = try #require(topic.value("TopicArn"))
            let refused = await harness.query(
                "Publish", ["TopicArn": arn, "Message": "hi", "MessageDeduplicationId": "1"], service: "sns",
                version: "2010-03-31")
            #expect(refused.errorCode == "InvalidParameter")
            let sent = await harness.query(
                "Publish", ["TopicArn": arn, "Message": "hi"], service: "sns", version: "2010-03-31")
            #expect(sent.value("MessageId") != nil)
        }
    }
}

extension GatewayTests {
    @Suite struct TrailSettingsFidelity {
        @Test func kmsKeyIdsAndAdvancedSelectorFieldsAreChecked() async throws {
            let harness = try await GatewayHarness()
            harness.region = "us-east-1"
            let badKey = try await harness.json(
                "CreateTrail", ["Name": "keyed", "S3BucketName": "x", "KmsKeyId": "not a key"])
            #expect(badKey.errorCode == "InvalidKmsKeyIdException")
            for key in [
                "alias/trail", "1234abcd-12ab-34cd-56ef-1234567890ab",
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ] {
                // A well-formed key gets past the key check to the bucket's (which does not exist).
                let answer = try await harness.json(
                    "CreateTrail", ["Name": "keyed", "S3BucketName": "x", "KmsKeyId": key])
                #expect(answer.errorCode == "S3BucketDoesNotExistException", "\(key)")
            }
        }
    }
}

extension GatewayTests {
    @Suite struct UserAuthenticationFidelity {
        @Test func contradictoryAuthenticationIsRefused() async throws {
            let harness = try await GatewayHarness()
            let base = ["UserId": "u", "UserName": "u", "Engine": "redis", "AccessString": "on ~* +@all"]
            let contradictions: [[String: String]] = [
                ["NoPasswordRequired": "true", "AuthenticationMode.Type": "iam"],
                ["NoPasswordRequired": "true", "AuthenticationMode.Type": "password"],
                ["NoPasswordRequired": "false", "AuthenticationMode.Type": "no-password-required"],
                ["NoPasswordRequired": "true", "Passwords.member.1": "a-long-enough-password"],
            ]
            for extra in contradictions {
                let answer = await harness.query("CreateUser", base.merging(extra) { _, new in new })
                #expect(answer.errorCode == "InvalidParameterCombination", "\(extra)")
            }
            let consistent = await harness.query(
                "CreateUser",
                base.merging(["NoPasswordRequired": "true", "AuthenticationMode.Type": "no-password-required"]) {
                    _, new in new
                })
            #expect(consistent.status == 200)
        }
    }
}

extension GatewayTests {
    @Suite struct ReplicationGroupFidelity {
        @Test func failoverIsEnablingUntilCreatedAndSnapshotsComeFromAReplica() async throws {
            let harness = try await GatewayHarness()
            let created = await harness.query(
                "CreateReplicationGroup",
                [
                    "ReplicationGroupId": "fo", "ReplicationGroupDescription": "d", "Engine": "redis",
                    "CacheNodeType": "cache.t3.micro", "NumCacheClusters": "2", "AutomaticFailoverEnabled": "true",
                ])
            #expect(created.value("AutomaticFailover") == "enabling")
            #expect(created.value("SnapshotWindow") == "05:00-06:00")
            #expect(created.value("SnapshottingClusterId") == "fo-002")
            harness.advance(5)
            let settled = await harness.query("DescribeReplicationGroups", ["ReplicationGroupId": "fo"])
            #expect(settled.value("AutomaticFailover") == "enabled")
            let moved = await harness.query(
                "ModifyReplicationGroup", ["ReplicationGroupId": "fo", "SnapshottingClusterId": "fo-001"])
            #expect(moved.value("SnapshottingClusterId") == "fo-001")
            harness.advance(5)
            let stranger = await harness.query(
                "ModifyReplicationGroup", ["ReplicationGroupId": "fo", "SnapshottingClusterId": "other-001"])
            #expect(stranger.errorCode == "InvalidParameterCombination")
            let growing = await harness.query(
                "IncreaseReplicaCount",
                ["ReplicationGroupId": "fo", "NewReplicaCount": "2", "ApplyImmediately": "true"])
            #expect(growing.value("Status") == "modifying")
            #expect(growing.values("Status").count >= 2)
            #expect(growing.values("Status").allSatisfy { $0 == "modifying" })
        }
    }
}

extension GatewayTests {
    @Suite struct NodeGroupConfigurationFidelity {
        static let base = [
            "ReplicationGroupId": "shards", "ReplicationGroupDescription": "d", "Engine": "redis",
            "CacheNodeType": "cache.t3.micro", "AutomaticFailoverEnabled": "true",
        ]

        func create(_ harness: GatewayHarness, _ extra: [String: String]) async -> Answer {
            await harness.query("CreateReplicationGroup", Self.base.merging(extra) { _, new in new })
        }

        @Test func nodeGroupsAreConfiguredByTheirIdsSlotsReplicasAndZones() async throws {
            let harness = try await GatewayHarness()
            let answer = await create(
                harness,
                [
                    "NodeGroupConfiguration.NodeGroupConfiguration.1.NodeGroupId": "0007",
                    "NodeGroupConfiguration.NodeGroupConfiguration.1.Slots": "0-999",
                    "NodeGroupConfiguration.NodeGroupConfiguration.1.ReplicaCount": "2",
                    "NodeGroupConfiguration.NodeGroupConfiguration.1.PrimaryAvailabilityZone": "us-west-2c",
                    "NodeGroupConfiguration.NodeGroupConfiguration.1.ReplicaAvailabilityZones.AvailabilityZone.1":
                        "us-west-2a",
                    "NodeGroupConfiguration.NodeGroupConfiguration.1.ReplicaAvailabilityZones.AvailabilityZone.2":
                        "us-west-2b",
                    "NodeGroupConfiguration.NodeGroupConfiguration.2.NodeGroupId": "0003",
                    "NodeGroupConfiguration.NodeGroupConfiguration.2.Slots": "1000-16383",
                    "NodeGroupConfiguration.NodeGroupConfiguration.2.ReplicaCount": "0",
                ])
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.values("NodeGroupId") == ["0007", "0003"])
            #expect(answer.values("Slots") == ["0-999", "1000-16383"])
            #expect(
                answer.values("CacheClusterId") == [
                    "shards-0007-001", "shards-0007-002", "shards-0007-003", "shards-0003-001",
                ])
            let primary = await harness.query("DescribeCacheClusters", ["CacheClusterId": "shards-0007-001"])
            #expect(primary.value("PreferredAvailabilityZone") == "us-west-2c")
            let replica = await harness.query("DescribeCacheClusters", ["CacheClusterId": "shards-0007-003"])
            #expect(replica.value("PreferredAvailabilityZone") == "us-west-2b")
        }

        @Test func mismatchedConfigurationsAreRefused() async throws {
            let harness = try await GatewayHarness()
            let one = "NodeGroupConfiguration.NodeGroupConfiguration.1."
            let two = "NodeGroupConfiguration.NodeGroupConfiguration.2."
            let refusals: [[String: String]] = [
                ["NumNodeGroups": "3", one + "ReplicaCount": "1", two + "ReplicaCount": "1"],
                [one + "NodeGroupId": "0001", two + "NodeGroupId": "1"],
                [
                    one + "ReplicaCount": "2", one + "ReplicaAvailabilityZones.AvailabilityZone.1": "us-west-2a",
                    two + "ReplicaCount": "1",
                ],
                [one + "Slots": "0-9000", two + "Slots": "8000-16383"],
                [one + "Slots": "0-20000", two + "Slots": "1-2"],
            ]
            for extra in refusals {
                #expect(await create(harness, extra).errorCode == "InvalidParameterValue", "\(extra)")
            }
            let zones = [
                "ReplicationGroupId": "zoned", "NumCacheClusters": "2",
                "PreferredCacheClusterAZs.AvailabilityZone.1": "us-west-2b",
            ]
            #expect(await create(harness, zones).errorCode == "InvalidParameterValue")
            var placed = zones
            placed["PreferredCacheClusterAZs.AvailabilityZone.2"] = "us-west-2c"
            #expect(await create(harness, placed).status == 200)
            let second = await harness.query("DescribeCacheClusters", ["CacheClusterId": "zoned-002"])
            #expect(second.value("PreferredAvailabilityZone") == "us-west-2c")
        }
    }
}

extension GatewayTests {
    @Suite struct ClusterModeSnapshotFidelity {
        @Test func aClusterModeSnapshotHasOneNodeSnapshotPerShard() async throws {
            let harness = try await GatewayHarness()
            let created = await harness.query(
                "CreateReplicationGroup",
                [
                    "ReplicationGroupId": "sharded", "ReplicationGroupDescription": "d", "Engine": "redis",
                    "CacheNodeType": "cache.t3.micro", "NumNodeGroups": "3", "ReplicasPerNodeGroup": "1",
                ])
            #expect(created.status == 200)
            harness.advance(5)
            let snapshot = await harness.query(
                "CreateSnapshot", ["SnapshotName": "shards", "ReplicationGroupId": "sharded"])
            #expect(snapshot.value("NumNodeGroups") == "3")
            #expect(snapshot.value("NumCacheNodes") == nil)
            #expect(snapshot.values("NodeGroupId") == ["0001", "0002", "0003"])
            #expect(snapshot.value("CacheNodeId") == nil)
            #expect(snapshot.value("ReplicationGroupDescription") == "d")
        }
    }
}

extension GatewayTests {
    @Suite struct ServiceEventOrder {
        /// Events written at one instant come back in the order they were written (recovery:
        /// "Recovering…" before "Finished recovery…"), for every one of twenty clusters.
        @Test func eventsOfOneInstantKeepTheirOrder() async throws {
            let harness = try await GatewayHarness()
            let now = harness.clock.now()
            try await harness.data.store.write { tx in
                for n in 0..<20 {
                    try ElastiCacheService.recordRecovery(
                        cluster: "arn:aws:elasticache:us-west-2:123456789012:cluster:c\(n)", nodes: ["0001"], now: now,
                        in: tx)
                }
            }
            let events = await harness.query("DescribeEvents", ["Duration": "60"])
            let messages = events.values("Message")
            #expect(messages.count == 40)
            for pair in stride(from: 0, to: messages.count - 1, by: 2) {
                #expect(messages[pair].hasPrefix("Recovering") && messages[pair + 1].hasPrefix("Finished recovery"))
            }
        }
    }
}
