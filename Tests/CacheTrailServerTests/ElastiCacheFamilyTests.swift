import CacheTrailServer
import Foundation
import Persistence
import Testing

/// Every ElastiCache family through the gateway: its documented states on the injected clock,
/// its not-found fault from the model, and tags by ARN.
extension GatewayTests {
    @Suite struct ElastiCacheFamilies {
        static let arnPrefix = "arn:aws:elasticache:us-west-2:\(GatewayHarness.account)"

        func status(_ answer: Answer, _ field: String = "Status") -> String? { answer.value(field) }

        @Test func cacheClustersCreateSettleAndDelete() async throws {
            let harness = try await GatewayHarness()
            let create = [
                "CacheClusterId": "c1", "Engine": "memcached", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": "2",
            ]
            #expect(status(await harness.query("CreateCacheCluster", create), "CacheClusterStatus") == "creating")
            harness.advance(5)
            let described = await harness.query("DescribeCacheClusters", ["CacheClusterId": "c1"])
            #expect(status(described, "CacheClusterStatus") == "available")
            let deleted = await harness.query("DeleteCacheCluster", ["CacheClusterId": "c1"])
            #expect(status(deleted, "CacheClusterStatus") == "deleting")
            harness.advance(5)
            #expect(
                await harness.query("DescribeCacheClusters", ["CacheClusterId": "c1"]).errorCode
                    == "CacheClusterNotFound")
        }

        /// A listing polled again is answered from the page kept for it only while nothing it
        /// shows can differ: every write, and every transition that comes due on the clock, shows.
        @Test func aPolledListingFollowsEveryChange() async throws {
            let harness = try await GatewayHarness()
            for id in ["c1", "c2", "c3"] { await harness.createCluster(id, engine: "memcached") }
            func listed(_ extra: [String: String] = [:]) async -> [String] {
                let answer = await harness.query("DescribeCacheClusters", ["MaxRecords": "20"].merging(extra) { $1 })
                return zip(answer.values("CacheClusterId"), answer.values("CacheClusterStatus")).map { "\($0):\($1)" }
            }
            #expect(await listed() == ["c1:creating", "c2:creating", "c3:creating"])
            // No write in between: the clock alone makes them available.
            harness.advance(5)
            #expect(await listed() == ["c1:available", "c2:available", "c3:available"])
            /// The answer's XML without its request id.
            func page() async -> String {
                let body = await harness.query("DescribeCacheClusters", ["MaxRecords": "20"]).body
                return body.replacing(/<RequestId>[^<]*<\/RequestId>/, with: "")
            }
            // Built from the documents, and kept.
            let built = await page()
            #expect(built.contains("<CacheClusterId>c3</CacheClusterId>"))
            #expect(built.contains("</CacheCluster></CacheClusters></DescribeCacheClustersResult>"))
            // Polled again with nothing changed: answered from the kept page (its XML copied
            // whole is what was written the first time), with no read transaction (the call's
            // event still goes to the journal).
            let transactions = harness.data.store.readTransactionCount
            #expect(await page() == built)
            #expect(await listed() == ["c1:available", "c2:available", "c3:available"])
            #expect(harness.data.store.readTransactionCount == transactions)
            let modified = await harness.query(
                "ModifyCacheCluster", ["CacheClusterId": "c2", "NumCacheNodes": "2", "ApplyImmediately": "true"])
            #expect(status(modified, "CacheClusterStatus") == "modifying")
            #expect(await listed() == ["c1:available", "c2:modifying", "c3:available"])
            harness.advance(5)
            #expect(await listed() == ["c1:available", "c2:available", "c3:available"])
            #expect(await harness.query("DescribeCacheClusters", ["MaxRecords": "20"]).values("CacheNodeId").isEmpty)
            _ = await harness.query("DeleteCacheCluster", ["CacheClusterId": "c1"])
            #expect(await listed() == ["c1:deleting", "c2:available", "c3:available"])
            harness.advance(5)
            #expect(await listed() == ["c2:available", "c3:available"])
            #expect(await listed(["ShowCacheNodeInfo": "true"]) == ["c2:available", "c3:available"])
            let withNodes = await harness.query(
                "DescribeCacheClusters", ["MaxRecords": "20", "ShowCacheNodeInfo": "true"])
            #expect(withNodes.values("CacheNodeId") == ["0001", "0002", "0001"])
        }

        @Test func serverlessCachesAndTheirSnapshots() async throws {
            let harness = try await GatewayHarness()
            let name = ["ServerlessCacheName": "s1"]
            let created = await harness.query("CreateServerlessCache", name.merging(["Engine": "valkey"]) { a, _ in a })
            #expect(status(created) == "creating")
            let early = await harness.query(
                "CreateServerlessCacheSnapshot", name.merging(["ServerlessCacheSnapshotName": "early"]) { a, _ in a })
            #expect(early.errorCode == "InvalidServerlessCacheStateFault")
            harness.advance(5)
            #expect(status(await harness.query("DescribeServerlessCaches", name)) == "available")
            #expect(
                status(await harness.query("ModifyServerlessCache", name.merging(["Description": "x"]) { a, _ in a }))
                    == "modifying")
            harness.advance(5)
            #expect(status(await harness.query("DescribeServerlessCaches", name)) == "available")
            let snapshot = ["ServerlessCacheSnapshotName": "snap"]
            let taken = await harness.query("CreateServerlessCacheSnapshot", name.merging(snapshot) { a, _ in a })
            #expect(status(taken) == "creating")
            harness.advance(5)
            #expect(status(await harness.query("DescribeServerlessCacheSnapshots", snapshot)) == "available")
            #expect(status(await harness.query("DeleteServerlessCacheSnapshot", snapshot)) == "deleting")
            #expect(
                await harness.query("DescribeServerlessCacheSnapshots", snapshot).errorCode
                    == "ServerlessCacheSnapshotNotFoundFault")
            #expect(status(await harness.query("DeleteServerlessCache", name)) == "deleting")
            #expect(status(await harness.query("DescribeServerlessCaches", name)) == "deleting")
            harness.advance(5)
            #expect(await harness.query("DescribeServerlessCaches", name).errorCode == "ServerlessCacheNotFoundFault")
        }

        /// CacheUsageLimits within AWS's ranges; a zero removes a limit, as AWS says.
        @Test func serverlessUsageLimitsAreChecked() async throws {
            let harness = try await GatewayHarness()
            func create(_ name: String, _ limits: [String: String]) async -> Answer {
                await harness.query(
                    "CreateServerlessCache",
                    limits.reduce(into: ["ServerlessCacheName": name, "Engine": "valkey"]) {
                        $0["CacheUsageLimits." + $1.key] = $1.value
                    })
            }
            let low = await create("low", ["ECPUPerSecond.Maximum": "5"])
            #expect(low.errorCode == "InvalidParameterValue")
            #expect(
                low.value("Message")
                    == "Invalid value for ECPUPerSecond limit. Must be between 1000 and 15000000. "
                    + "You can set the value to zero to remove the limit.")
            let big = await create("big", ["DataStorage.Maximum": "5001", "DataStorage.Unit": "GB"])
            #expect(
                big.value("Message")?.hasPrefix("Invalid value for DataStorage limit. Must be between 1 and 5000.")
                    == true)
            let crossed = await create(
                "crossed", ["ECPUPerSecond.Maximum": "2000", "ECPUPerSecond.Minimum": "3000"])
            #expect(crossed.errorCode == "InvalidParameterCombination")
            let kept = await create(
                "kept", ["DataStorage.Maximum": "10", "DataStorage.Unit": "GB", "ECPUPerSecond.Maximum": "0"])
            #expect(kept.value("Maximum") == "10")
            #expect(kept.values("Maximum").count == 1)
            harness.advance(5)
            let removed = await harness.query(
                "ModifyServerlessCache",
                [
                    "ServerlessCacheName": "kept", "CacheUsageLimits.DataStorage.Maximum": "0",
                    "CacheUsageLimits.DataStorage.Unit": "GB",
                ])
            #expect(removed.status == 200)
            #expect(!removed.body.contains("CacheUsageLimits"))
        }

        @Test func usersAndUserGroups() async throws {
            let harness = try await GatewayHarness()
            let user = [
                "UserId": "u1", "UserName": "app", "Engine": "redis", "AccessString": "on ~* +@all",
                "NoPasswordRequired": "true",
            ]
            // AWS answers CreateUser with an active user.
            #expect(status(await harness.query("CreateUser", user)) == "active")
            #expect(await harness.query("CreateUser", user).errorCode == "UserAlreadyExists")
            harness.advance(5)
            #expect(status(await harness.query("DescribeUsers", ["UserId": "u1"])) == "active")
            #expect(
                status(await harness.query("ModifyUser", ["UserId": "u1", "AccessString": "on ~app:* +get"]))
                    == "modifying")
            let group = [
                "UserGroupId": "g1", "Engine": "redis", "UserIds.member.1": "default", "UserIds.member.2": "u1",
            ]
            #expect(await harness.query("CreateUserGroup", group).status == 200)
            harness.advance(5)
            #expect(status(await harness.query("DescribeUserGroups", ["UserGroupId": "g1"])) == "active")
            #expect(status(await harness.query("DescribeUsers", ["UserId": "u1"])) == "active")
            let modifying = await harness.query(
                "ModifyUserGroup", ["UserGroupId": "g1", "UserIdsToRemove.member.1": "u1"])
            #expect(status(modifying) == "modifying")
            #expect(modifying.value("PendingChanges")?.contains("<UserIdsToRemove><member>u1</member>") == true)
            harness.advance(5)
            let settled = await harness.query("DescribeUserGroups", ["UserGroupId": "g1"])
            #expect(status(settled) == "active")
            #expect(settled.value("PendingChanges") == nil)
            #expect(status(await harness.query("DeleteUserGroup", ["UserGroupId": "g1"])) == "deleting")
            #expect(await harness.query("DescribeUserGroups", ["UserGroupId": "g1"]).errorCode == "UserGroupNotFound")
            #expect(status(await harness.query("DeleteUser", ["UserId": "u1"])) == "deleting")
            // Described as deleting until the lifecycle removes it.
            #expect(status(await harness.query("DescribeUsers", ["UserId": "u1"])) == "deleting")
            harness.advance(5)
            #expect(await harness.query("DescribeUsers", ["UserId": "u1"]).errorCode == "UserNotFound")
            // The built-in default user is always there and cannot go.
            #expect(
                await harness.query("DeleteUser", ["UserId": "default"]).errorCode == "DefaultUserAssociatedToUserGroup"
            )
        }

        @Test func snapshotsOfAClusterSettleAndDelete() async throws {
            let harness = try await GatewayHarness()
            _ = await harness.query(
                "CreateCacheCluster",
                ["CacheClusterId": "r1", "Engine": "redis", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": "1"])
            harness.advance(5)
            let snapshot = ["SnapshotName": "nightly"]
            let created = await harness.query(
                "CreateSnapshot", snapshot.merging(["CacheClusterId": "r1"]) { a, _ in a })
            #expect(status(created, "SnapshotStatus") == "creating")
            #expect(await harness.query("DeleteSnapshot", snapshot).errorCode == "InvalidSnapshotState")
            harness.advance(5)
            #expect(status(await harness.query("DescribeSnapshots", snapshot), "SnapshotStatus") == "available")
            #expect(status(await harness.query("DeleteSnapshot", snapshot), "SnapshotStatus") == "deleting")
            #expect(await harness.query("DescribeSnapshots", snapshot).errorCode == "SnapshotNotFoundFault")
        }

        @Test func replicationGroupsWriteTheirEventsAndGlobalDatastoresSettlePrimaryOnly() async throws {
            let harness = try await GatewayHarness()
            let group = [
                "ReplicationGroupId": "rg1", "ReplicationGroupDescription": "d", "Engine": "redis",
                "CacheNodeType": "cache.r6g.large", "NumCacheClusters": "2",
            ]
            #expect(status(await harness.query("CreateReplicationGroup", group)) == "creating")
            harness.advance(5)
            #expect(
                status(await harness.query("DescribeReplicationGroups", ["ReplicationGroupId": "rg1"])) == "available")
            let events = await harness.query("DescribeEvents", ["SourceType": "replication-group"])
            #expect(events.values("Message").contains("Replication group rg1 created"))
            let global = await harness.query(
                "CreateGlobalReplicationGroup",
                ["GlobalReplicationGroupIdSuffix": "world", "PrimaryReplicationGroupId": "rg1"])
            #expect(status(global) == "creating")
            let id = try #require(global.value("GlobalReplicationGroupId"))
            harness.advance(5)
            let settled = await harness.query("DescribeGlobalReplicationGroups", ["GlobalReplicationGroupId": id])
            #expect(status(settled) == "primary-only")
            #expect(
                await harness.query("DescribeGlobalReplicationGroups", ["GlobalReplicationGroupId": "nope"]).errorCode
                    == "GlobalReplicationGroupNotFoundFault")
        }

        @Test func everyTaggableFamilyIsReachedByItsArn() async throws {
            let harness = try await GatewayHarness()
            let created = [
                await harness.query(
                    "CreateUser",
                    [
                        "UserId": "tagged", "UserName": "t", "Engine": "redis", "AccessString": "on ~* +@all",
                        "NoPasswordRequired": "true",
                    ]),
                await harness.query("CreateServerlessCache", ["ServerlessCacheName": "tagged", "Engine": "redis"]),
                await harness.query(
                    "CreateCacheSubnetGroup",
                    [
                        "CacheSubnetGroupName": "tagged", "CacheSubnetGroupDescription": "d",
                        "SubnetIds.SubnetIdentifier.1": "subnet-0001",
                    ]),
            ]
            #expect(created.map(\.status) == [200, 200, 200])
            let securityGroup = await harness.query(
                "CreateCacheSecurityGroup", ["CacheSecurityGroupName": "tagged", "Description": "d"])
            #expect(securityGroup.value("ARN") == "\(Self.arnPrefix):securitygroup:tagged")
            let offering = try #require(
                await harness.query("DescribeReservedCacheNodesOfferings").value("ReservedCacheNodesOfferingId"))
            let purchased = await harness.query(
                "PurchaseReservedCacheNodesOffering",
                ["ReservedCacheNodesOfferingId": offering, "ReservedCacheNodeId": "tagged"])
            #expect(purchased.value("ReservationARN") == "\(Self.arnPrefix):reserved-instance:tagged")
            for arn in [
                "\(Self.arnPrefix):user:tagged", "\(Self.arnPrefix):serverlesscache:tagged",
                "\(Self.arnPrefix):subnetgroup:tagged", "\(Self.arnPrefix):reserved-instance:tagged",
                "\(Self.arnPrefix):securitygroup:tagged",
            ] {
                let added = await harness.query(
                    "AddTagsToResource", ["ResourceName": arn, "Tags.Tag.1.Key": "team", "Tags.Tag.1.Value": "audit"])
                #expect(added.status == 200, "\(arn): \(added.body)")
                let listed = await harness.query("ListTagsForResource", ["ResourceName": arn])
                #expect(listed.values("Key") == ["team"], "\(arn)")
                #expect(listed.values("Value") == ["audit"], "\(arn)")
            }
            let missing = await harness.query("ListTagsForResource", ["ResourceName": "\(Self.arnPrefix):user:ghost"])
            #expect(missing.errorCode == "UserNotFound")
            let unknown = await harness.query("ListTagsForResource", ["ResourceName": "\(Self.arnPrefix):bogus:x"])
            #expect(unknown.errorCode == "InvalidARN")
        }
    }
}
