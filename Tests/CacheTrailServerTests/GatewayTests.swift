import CacheTrailServer
import Foundation
import Persistence
import SigV4
import Testing

/// Suites that run the real gateway in process. Serialized: a data directory installs the
/// process-wide secret sealer, so two harnesses must not be open at once.
@Suite(.serialized) enum GatewayTests {}

extension GatewayTests {
    @Suite struct Spine {
        @Test func aSignedCallIsAnsweredFromTheModelAndRecorded() async throws {
            let harness = try await GatewayHarness()
            let answer = await harness.query(
                "CreateCacheCluster",
                ["CacheClusterId": "spine", "Engine": "redis", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": "1"])
            #expect(answer.status == 200)
            #expect(answer.value("CacheClusterStatus") == "creating")
            let record = try #require(try await harness.records().last)
            #expect(record["eventName"] as? String == "CreateCacheCluster")
            #expect(record["eventSource"] as? String == "elasticache.amazonaws.com")
            #expect(record["readOnly"] as? Bool == false)
            #expect((record["userIdentity"] as? [String: Any])?["type"] as? String == "Root")
            #expect((record["requestParameters"] as? [String: Any])?["cacheClusterId"] as? String == "spine")
            #expect(record["sourceIPAddress"] as? String == "192.0.2.10")
        }

        @Test func modelledFaultsKeepTheirCodeStatusAndAreRecorded() async throws {
            let harness = try await GatewayHarness()
            let answer = await harness.query("DescribeCacheClusters", ["CacheClusterId": "nope"])
            #expect(answer.status == 404)
            #expect(answer.errorCode == "CacheClusterNotFound")
            #expect(answer.value("Message") == "CacheCluster not found: nope")
            let record = try #require(try await harness.records().last)
            #expect(record["errorCode"] as? String == "CacheClusterNotFound")
        }

        @Test func aBadSignatureIsRefusedAndNothingHappens() async throws {
            let harness = try await GatewayHarness()
            harness.region = "us-east-1"
            let good = await harness.query("DescribeCacheClusters")
            #expect(good.status == 200)
            let body = Array("Action=DescribeCacheClusters&Version=2015-02-02".utf8)
            let forged = await harness.raw(
                .init(
                    method: "POST", path: "/", query: "",
                    headers: [
                        ("host", "localhost:4577"), ("content-type", "application/x-www-form-urlencoded"),
                        ("x-amz-date", "20270115T080000Z"),
                        (
                            "authorization",
                            "AWS4-HMAC-SHA256 Credential=\(harness.credentials.accessKeyID)/20270115/us-east-1/elasticache/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                                + String(repeating: "0", count: 64)
                        ),
                    ],
                    body: body, sourceIP: "192.0.2.10"))
            #expect(forged.status == 403)
            #expect(forged.errorCode == "SignatureDoesNotMatch")
        }

        @Test func lookupEventsAnswersTheRecordsOwnEventTime() async throws {
            let harness = try await GatewayHarness()
            harness.advance(0.75)  // a time with a fraction of a second
            _ = await harness.query("DescribeCacheClusters")
            let answer = try await harness.json(
                "LookupEvents",
                ["LookupAttributes": [["AttributeKey": "EventName", "AttributeValue": "DescribeCacheClusters"]]])
            let event = try #require((answer.json?["Events"] as? [[String: Any]])?.first)
            let time = try #require(event["EventTime"] as? Double)
            let record = try #require(
                try JSONSerialization.jsonObject(with: Data(((event["CloudTrailEvent"] as? String) ?? "").utf8))
                    as? [String: Any])
            let recorded = try #require(
                (record["eventTime"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(time == recorded.timeIntervalSince1970)
            #expect(time == (GatewayHarness.start.timeIntervalSince1970 + 0.75).rounded(.down))
        }

        @Test func aReadOnlyCallIsJournaledAndOneThatSettlesIsSynced() async throws {
            let harness = try await GatewayHarness()
            await harness.createCluster("reader")
            // Nothing due: answered from a snapshot; its event joins the journal with a later
            // commit group (here the flush), never with an fsync of its own.
            var before = harness.data.store.commitCounts
            let creating = await harness.query("DescribeCacheClusters")
            #expect(creating.value("CacheClusterStatus") == "creating")
            try await harness.data.store.flushReadEvents()
            var after = harness.data.store.commitCounts
            #expect(after.commits > before.commits)
            #expect(after.synced == before.synced)
            // The creation is due: the read runs again as a write that saves it with its event.
            harness.advance(10)
            before = harness.data.store.commitCounts
            let available = await harness.query("DescribeCacheClusters")
            #expect(available.value("CacheClusterStatus") == "available")
            after = harness.data.store.commitCounts
            #expect(after.synced - before.synced == 1)
            let events = await harness.query("DescribeEvents", ["SourceType": "cache-cluster"])
            #expect(events.values("Message").contains("Cache cluster created"))
            let names = try await harness.records().compactMap { $0["eventName"] as? String }
            #expect(names.filter { $0 == "DescribeCacheClusters" }.count == 2)
        }

        @Test func anOperationTheModelDoesNotHaveIsInvalidAction() async throws {
            let harness = try await GatewayHarness()
            let answer = await harness.query("LaunchRockets")
            #expect(answer.status == 400)
            #expect(answer.errorCode == "InvalidAction")
        }
    }
}

extension GatewayTests {
    @Suite struct STSRecords {
        @Test func assumeRoleNamesItsRoleInTheRecord() async throws {
            let harness = try await GatewayHarness()
            harness.region = "us-east-1"
            let trust =
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#
            let role = await harness.query(
                "CreateRole", ["RoleName": "auditor", "AssumeRolePolicyDocument": trust], service: "iam",
                version: "2010-05-08")
            let arn = try #require(role.value("Arn"))
            let assumed = await harness.query(
                "AssumeRole", ["RoleArn": arn, "RoleSessionName": "audit"], service: "sts", version: "2011-06-15")
            #expect(assumed.status == 200, "\(assumed.body)")
            let record = try #require(try await harness.records().last { $0["eventName"] as? String == "AssumeRole" })
            let resources = try #require(record["resources"] as? [[String: Any]])
            #expect(resources.first?["ARN"] as? String == arn)
            #expect(resources.first?["type"] as? String == "AWS::IAM::Role")
            #expect(resources.first?["accountId"] as? String == GatewayHarness.account)
        }
    }
}

extension GatewayTests {
    @Suite struct CrossAccountRecords {
        @Test func aCrossAccountAssumeRoleIsRecordedInBothAccountsWithOneSharedEventID() async throws {
            let harness = try await GatewayHarness()
            harness.region = "us-east-1"
            let owner = "210987654321"
            let ownerKey = try await harness.account(owner)
            let trust =
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#
            let role = await harness.query(
                "CreateRole", ["RoleName": "shared", "AssumeRolePolicyDocument": trust], service: "iam",
                version: "2010-05-08", as: ownerKey)
            let arn = try #require(role.value("Arn"))
            #expect(arn.contains(owner))
            let assumed = await harness.query(
                "AssumeRole", ["RoleArn": arn, "RoleSessionName": "visitor"], service: "sts", version: "2011-06-15")
            #expect(assumed.status == 200, "\(assumed.body)")
            let mine = try #require(try await harness.records().last { $0["eventName"] as? String == "AssumeRole" })
            let theirs = try #require(
                try await harness.records(account: owner).last { $0["eventName"] as? String == "AssumeRole" })
            let shared = try #require(mine["sharedEventID"] as? String)
            #expect(theirs["sharedEventID"] as? String == shared)
            #expect(theirs["eventID"] as? String != mine["eventID"] as? String)
            #expect(mine["recipientAccountId"] as? String == GatewayHarness.account)
            #expect(theirs["recipientAccountId"] as? String == owner)
            let identity = try #require(theirs["userIdentity"] as? [String: Any])
            #expect(identity["type"] as? String == "AWSAccount")
            #expect(identity["accountId"] as? String == GatewayHarness.account)
            #expect((mine["userIdentity"] as? [String: Any])?["type"] as? String == "Root")
        }
    }
}

extension GatewayTests {
    @Suite struct ResourceTagConditions {
        @Test func aPolicyCanDenyByTheResourcesOwnTags() async throws {
            let harness = try await GatewayHarness()
            let iam = (service: "iam", version: "2010-05-08")
            _ = await harness.query("CreateUser", ["UserName": "dev"], service: iam.service, version: iam.version)
            let policy = """
                {"Version":"2012-10-17","Statement":[\
                {"Effect":"Allow","Action":"elasticache:*","Resource":"*"},\
                {"Effect":"Deny","Action":"elasticache:DeleteCacheCluster","Resource":"*",\
                "Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}
                """
            let put = await harness.query(
                "PutUserPolicy", ["UserName": "dev", "PolicyName": "tags", "PolicyDocument": policy],
                service: iam.service, version: iam.version)
            #expect(put.status == 200, "\(put.body)")
            let key = await harness.query(
                "CreateAccessKey", ["UserName": "dev"], service: iam.service, version: iam.version)
            let dev = AWSCredentials(
                accessKeyID: try #require(key.value("AccessKeyId")),
                secretAccessKey: try #require(key.value("SecretAccessKey")))
            for (id, env) in [("prod-cache", "prod"), ("dev-cache", "dev")] {
                let created = await harness.query(
                    "CreateCacheCluster",
                    [
                        "CacheClusterId": id, "Engine": "memcached", "CacheNodeType": "cache.t3.micro",
                        "Tags.Tag.1.Key": "env", "Tags.Tag.1.Value": env,
                    ])
                #expect(created.status == 200)
            }
            harness.advance(5)
            let denied = await harness.query("DeleteCacheCluster", ["CacheClusterId": "prod-cache"], as: dev)
            #expect(denied.errorCode == "AccessDenied")
            let allowed = await harness.query("DeleteCacheCluster", ["CacheClusterId": "dev-cache"], as: dev)
            #expect(allowed.status == 200, "\(allowed.body)")
        }

        /// The user's ARN is authorized with its path; aws:SecureTransport is true only when a
        /// trusted proxy took the request over TLS.
        @Test func pathsAndSecureTransportAreConditionsAsOnAWS() async throws {
            let harness = try await GatewayHarness()
            let iam = (service: "iam", version: "2010-05-08")
            let created = await harness.query(
                "CreateUser", ["UserName": "ops1", "Path": "/ops/"], service: iam.service, version: iam.version)
            #expect(created.value("Arn") == "arn:aws:iam::123456789012:user/ops/ops1")
            let policy = """
                {"Version":"2012-10-17","Statement":[\
                {"Effect":"Allow","Action":"iam:ListUserTags","Resource":"arn:aws:iam::*:user/ops/*"},\
                {"Effect":"Allow","Action":"elasticache:DescribeCacheClusters","Resource":"*",\
                "Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}
                """
            _ = await harness.query(
                "PutUserPolicy", ["UserName": "ops1", "PolicyName": "p", "PolicyDocument": policy],
                service: iam.service, version: iam.version)
            let key = await harness.query(
                "CreateAccessKey", ["UserName": "ops1"], service: iam.service, version: iam.version)
            let ops = AWSCredentials(
                accessKeyID: try #require(key.value("AccessKeyId")),
                secretAccessKey: try #require(key.value("SecretAccessKey")))
            let tags = await harness.query(
                "ListUserTags", ["UserName": "ops1"], service: iam.service, version: iam.version, as: ops)
            #expect(tags.status == 200, "\(tags.body)")
            let plain = await harness.query("DescribeCacheClusters", as: ops)
            #expect(plain.errorCode == "AccessDenied")
            let overTLS = await harness.query("DescribeCacheClusters", as: ops, secure: true)
            #expect(overTLS.status == 200, "\(overTLS.body)")
        }
    }
}
