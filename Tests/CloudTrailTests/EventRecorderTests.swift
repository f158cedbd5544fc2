import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract
import Testing

@testable import CloudTrail

struct EventRecorderTests {
    let time = Date(timeIntervalSince1970: 1_700_000_000)

    func record(
        _ model: ServiceModel, _ operation: String, _ principal: Principal, input: ShapeValue? = nil,
        output: ShapeValue? = nil, error: AWSError? = nil, resourceArn: String? = nil
    ) throws -> [String: JSONValue] {
        var context = CallContext(
            model: model, eventName: operation, operation: model.operations[operation], input: input,
            principal: principal,
            region: "eu-west-1", requestID: "req", sourceIP: "127.0.0.1", userAgent: "test", time: time)
        context.resourceArn = resourceArn
        let entry = EventRecorder().entry(for: context, output: output, error: error)
        guard case .object(let fields) = try JSONValue.parse(entry.record) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return fields
    }

    /// A client's repeated calls share their record's kept members, and each member follows
    /// a change in what it was rendered from.
    @Test func keptRecordMembersFollowTheCall() throws {
        let model = ServiceModel.elastiCache
        var context = CallContext(
            model: model, eventName: "DescribeCacheClusters", operation: model.operations["DescribeCacheClusters"],
            input: .object(["MaxRecords": .integer(20)]),
            principal: Principal(
                kind: .iamUser, principalId: "AIDATEMPLATE", arn: "arn:aws:iam::123456789012:user/carol",
                accountId: "123456789012", accessKeyId: "AKIAKEPTTEMPLATE", userName: "carol"),
            region: "eu-west-1", requestID: "r1", sourceIP: "10.0.0.1", userAgent: "agent/1", time: time)
        func fields() throws -> [String: JSONValue] {
            guard
                case .object(let fields) = try JSONValue.parse(
                    EventRecorder().entry(for: context, output: nil, error: nil).record)
            else { throw CocoaError(.fileReadCorruptFile) }
            return fields
        }
        let first = try fields()
        context.requestID = "r2"
        context.time = time.addingTimeInterval(61)
        var again = try fields()
        #expect(again["requestID"] == .string("r2"))
        #expect(again["eventTime"] == .string("2023-11-14T22:14:21Z"))
        #expect(again["eventID"] != first["eventID"])
        for key in ["requestID", "eventTime", "eventID"] { again[key] = first[key] }
        #expect(again == first)

        context.userAgent = "agent/2"
        #expect(try fields()["userAgent"] == .string("agent/2"))
        context.sourceIP = "10.0.0.2"
        #expect(try fields()["sourceIPAddress"] == .string("10.0.0.2"))
        context.region = "us-west-2"
        #expect(try fields()["awsRegion"] == .string("us-west-2"))
        context.input = .object(["MaxRecords": .integer(30)])
        #expect(try fields()["requestParameters"] == .object(["maxRecords": .number("30")]))
        context.principal.userName = "dave"
        context.principal.arn = "arn:aws:iam::123456789012:user/dave"
        guard case .object(let identity)? = try fields()["userIdentity"] else { throw CocoaError(.fileReadCorruptFile) }
        #expect(identity["userName"] == .string("dave"))
        #expect(identity["arn"] == .string("arn:aws:iam::123456789012:user/dave"))
        context.resourceArn = "arn:aws:elasticache:us-west-2:123456789012:cluster:c1"
        #expect(try fields()["resources"] != nil)
        context.resourceArn = nil
        #expect(try fields()["resources"] == nil)
    }

    /// The kept userIdentity of an access key is used only for the same principal: the same key
    /// with another name (a user renamed) renders anew.
    @Test func aKeptUserIdentityFollowsItsPrincipal() throws {
        var user = Principal(
            kind: .iamUser, principalId: "AIDAKEPT", arn: "arn:aws:iam::123456789012:user/alice",
            accountId: "123456789012", accessKeyId: "AKIAKEPTIDENTITY", userName: "alice")
        #expect(UserIdentity.render(user).contains("\"userName\":\"alice\""))
        #expect(UserIdentity.render(user).contains("\"userName\":\"alice\""))
        user.userName = "bob"
        user.arn = "arn:aws:iam::123456789012:user/bob"
        let renamed = UserIdentity.render(user)
        #expect(renamed.contains("\"userName\":\"bob\"") && renamed.contains("user/bob"))
    }

    @Test func rootIdentity() throws {
        let fields = try record(.sts, "GetCallerIdentity", .root(account: "111111111111", accessKeyId: "AKIAROOT"))
        #expect(
            fields["userIdentity"]
                == .object([
                    "type": .string("Root"), "principalId": .string("111111111111"),
                    "arn": .string("arn:aws:iam::111111111111:root"), "accountId": .string("111111111111"),
                    "accessKeyId": .string("AKIAROOT"),
                ]))
        #expect(fields["requestParameters"] == .null)
        #expect(fields["responseElements"] == .null)
        #expect(fields["eventSource"] == .string("sts.amazonaws.com"))
        #expect(fields["recipientAccountId"] == .string("111111111111"))
        #expect(fields["eventType"] == .string("AwsApiCall"))
        #expect(fields["eventTime"] == .string("2023-11-14T22:13:20Z"))
    }

    @Test func assumedRoleIdentityCarriesItsSessionContext() throws {
        let session = Principal(
            kind: .assumedRole, principalId: "AROAX:audit", arn: "arn:aws:sts::111111111111:assumed-role/r/audit",
            accountId: "111111111111", accessKeyId: "ASIAX",
            sessionIssuer: .init(
                type: "Role", principalId: "AROAX", arn: "arn:aws:iam::111111111111:role/r", accountId: "111111111111",
                userName: "r"),
            sessionCreationDate: time, policyRole: "r")
        let identity = try record(.iam, "ListUsers", session)["userIdentity"]
        #expect(identity?["type"] == .string("AssumedRole"))
        #expect(identity?["sessionContext"]?["sessionIssuer"]?["arn"] == .string("arn:aws:iam::111111111111:role/r"))
        #expect(identity?["sessionContext"]?["attributes"]?["creationDate"] == .string("2023-11-14T22:13:20Z"))
        #expect(identity?["sessionContext"]?["attributes"]?["mfaAuthenticated"] == .string("false"))
        #expect(identity?["sessionContext"]?["webIdFederationData"] == .object([:]))
    }

    @Test func serviceIdentity() throws {
        let identity = try record(.sts, "GetCallerIdentity", .service("cloudtrail.amazonaws.com", account: "1"))[
            "userIdentity"]
        #expect(identity == .object(["type": .string("AWSService"), "invokedBy": .string("cloudtrail.amazonaws.com")]))
    }

    @Test func iamEventsAreRecordedInUsEast1() throws {
        let fields = try record(.iam, "CreateUser", .root(account: "1"), input: .object(["UserName": .string("bob")]))
        #expect(fields["awsRegion"] == .string("us-east-1"))
        #expect(fields["requestParameters"] == .object(["userName": .string("bob")]))
    }

    @Test func secretsAreHidden() throws {
        let output = ShapeValue.object([
            "Credentials": .object([
                "AccessKeyId": .string("ASIAX"), "SecretAccessKey": .string("very-secret"),
                "SessionToken": .string("tok"),
                "Expiration": .timestamp(time),
            ])
        ])
        let fields = try record(
            .sts, "AssumeRole", .root(account: "1"),
            input: .object(["RoleArn": .string("arn:aws:iam::1:role/r"), "RoleSessionName": .string("s")]),
            output: output)
        let credentials = fields["responseElements"]?["credentials"]
        #expect(credentials?["accessKeyId"] == .string("ASIAX"))
        // Response elements carry no secret at all, not even a placeholder: AWS's AssumeRole
        // records have no secretAccessKey; the session token is an auth token (DESIGN.md,
        // invariant 4), left out too.
        #expect(credentials?["secretAccessKey"] == nil)
        #expect(credentials?["sessionToken"] == nil)
        #expect(credentials?["expiration"] == .string("Nov 14, 2023 10:13:20 PM"))
        let cluster = try record(
            .elastiCache, "CreateCacheCluster", .root(account: "1"),
            input: .object(["CacheClusterId": .string("c"), "AuthToken": .string("hunter2hunter2hunter2")]))
        #expect(cluster["requestParameters"]?["authToken"] == .string(Redaction.hidden))
    }

    @Test func failedCallsCarryTheirErrorAndNoResponse() throws {
        let fields = try record(
            .iam, "CreateUser", .root(account: "1"), input: .object(["UserName": .string("bob")]),
            output: .object(["User": .object([:])]),
            error: AWSError(code: "EntityAlreadyExists", message: "User with name bob already exists."))
        #expect(fields["errorCode"] == .string("EntityAlreadyExists"))
        #expect(fields["errorMessage"] == .string("User with name bob already exists."))
        #expect(fields["responseElements"] == .null)
    }

    @Test func managementEventsNameTheResourceTheyActedOn() throws {
        let arn = "arn:aws:elasticache:eu-west-1:111111111111:cluster:c1"
        let fields = try record(
            .elastiCache, "RebootCacheCluster", .root(account: "111111111111"),
            input: .object(["CacheClusterId": .string("c1")]), resourceArn: arn)
        #expect(
            fields["resources"]
                == .array([
                    .object([
                        "accountId": .string("111111111111"), "type": .string("AWS::ElastiCache::CacheCluster"),
                        "ARN": .string(arn),
                    ])
                ]))
        #expect(try record(.sts, "GetCallerIdentity", .root(account: "1"))["resources"] == nil)
    }

    @Test func fieldsOverOneHundredKilobytesAreOmitted() throws {
        let tags = (0..<2_000).map { index in
            ShapeValue.object(["Key": .string("key-\(index)"), "Value": .string(String(repeating: "v", count: 60))])
        }
        let large = try record(
            .elastiCache, "AddTagsToResource", .root(account: "1"),
            input: .object(["ResourceName": .string("arn:aws:elasticache:eu-west-1:1:cluster:c1"), "Tags": .list(tags)])
        )
        #expect(large["requestParameters"] == .null)
        #expect(large["omitted"] == .bool(true))
        let small = try record(
            .elastiCache, "AddTagsToResource", .root(account: "1"),
            input: .object(["ResourceName": .string("arn:aws:elasticache:eu-west-1:1:cluster:c1"), "Tags": .list([])]))
        #expect(small["requestParameters"]?["resourceName"] != nil)
        #expect(small["omitted"] == nil)
    }

    /// Read-only by AWS's prefixes: every Describe, List, Get, Lookup, Head and Simulate call.
    @Test func readOnlyCallsAreToldByTheirPrefix() {
        for name in [
            "DescribeCacheClusters", "ListTagsForResource", "GetObject", "LookupEvents", "HeadBucket",
            "SimulatePrincipalPolicy",
        ] {
            #expect(EventRecorder.isReadOnly(name), "\(name)")
        }
        for name in ["CreateCacheCluster", "Lis", "", "describeCacheClusters", "PutObject", "StartLogging", "Decrease"]
        {
            #expect(!EventRecorder.isReadOnly(name), "\(name)")
        }
    }

    @Test func mapKeysKeepTheirCase() throws {
        let fields = try record(
            .sns, "CreateTopic", .root(account: "1"),
            input: .object(["Name": .string("t"), "Attributes": .map(["DisplayName": .string("T")])]))
        #expect(
            fields["requestParameters"]
                == .object(["name": .string("t"), "attributes": .object(["DisplayName": .string("T")])]))
    }
}

/// The record's `resources` written in place are the bytes the general JSON writer gives the
/// same objects.
struct RecordResourcesTests {
    @Test func resourcesInPlaceMatchTheGeneralWriter() {
        let cases: [[(type: String, arn: String, account: String?)]] = [
            [("AWS::ElastiCache::CacheCluster", "arn:aws:elasticache:eu-west-1:1:cluster:c1", "1")],
            [("AWS::S3::Bucket", "arn:aws:s3:::logs", nil), ("AWS::S3::Object", "arn:aws:s3:::logs/a\"b\u{1}é", nil)],
            [],
        ]
        for resources in cases {
            var written = OrderedJSON()
            written.add("readOnly", false)
            written.add(resources: resources)
            var general = OrderedJSON()
            general.add("readOnly", false)
            general.add(
                "resources",
                .list(
                    resources.map {
                        .object([
                            "accountId": $0.account.map(ShapeValue.string), "type": .string($0.type),
                            "ARN": .string($0.arn),
                        ])
                    }))
            #expect(written.text == general.text)
        }
    }
}

struct ResourceTypeTests {
    @Test func typesAndNamesFromARNs() {
        #expect(
            ResourceTypes.resource("arn:aws:elasticache:us-west-2:1:cluster:test-memcached")
                == .init(type: "AWS::ElastiCache::CacheCluster", name: "test-memcached", account: "1"))
        #expect(
            ResourceTypes.resource("arn:aws:iam::1:user/path/bob")
                == .init(type: "AWS::IAM::User", name: "bob", account: "1"))
        #expect(
            ResourceTypes.resource("arn:aws:s3:::logs") == .init(type: "AWS::S3::Bucket", name: "logs", account: nil))
        #expect(ResourceTypes.resource("arn:aws:s3:::logs/key") == nil)
        #expect(ResourceTypes.resource("arn:aws:elasticache:us-west-2:1:cluster:*") == nil)
        #expect(ResourceTypes.resource("*") == nil)
        #expect(ResourceTypes.resource("arn:aws:cloudtrail:us-east-1:1:trail/main")?.name == "main")
        // The resource part's first and last non-empty pieces are its kind and name.
        #expect(ResourceTypes.resource("arn:aws:iam::1:user/bob/")?.name == "bob")
        #expect(
            ResourceTypes.resource("arn:aws:iam::1://user//bob")
                == .init(type: "AWS::IAM::User", name: "bob", account: "1"))
        #expect(ResourceTypes.resource("arn:aws:elasticache:r:1:cluster")?.name == "cluster")
        #expect(ResourceTypes.resource("arn:aws:elasticache:r:1:") == nil)
        #expect(ResourceTypes.resource("arn:aws:elasticache:r:1") == nil)
        #expect(ResourceTypes.resource("arn:aws:sns:r:1:topic") == nil)
        #expect(ResourceTypes.resource("aws:elasticache:r:1:cluster:c") == nil)
    }
}

/// Response elements through each shape's record plan, and through the general path when a
/// value carries a field its shape does not have.
struct EventValuesTests {
    @Test func membersAreCamelCasedInKeyOrderAndStraysStillWritten() {
        let values = EventValues(model: .elastiCache)
        func rendered(_ value: ShapeValue, _ shape: String, omittingSecrets: Bool = false) -> String {
            var bytes: [UInt8] = []
            values.render(
                value, shape: ServiceModel.elastiCache.shape(shape), to: &bytes, omittingSecrets: omittingSecrets)
            return String(decoding: bytes, as: UTF8.self)
        }
        let cluster = ShapeValue.object([
            "NumCacheNodes": .integer(1), "CacheClusterId": .string("c1"), "CacheSecurityGroups": .list([]),
            "AutoMinorVersionUpgrade": .boolean(true),
            "CacheClusterCreateTime": .timestamp(Date(timeIntervalSince1970: 1_417_471_366)),
        ])
        #expect(
            rendered(cluster, "CacheCluster")
                == #"{"autoMinorVersionUpgrade":true,"cacheClusterCreateTime":"Dec 1, 2014 10:02:46 PM","#
                + #""cacheClusterId":"c1","cacheSecurityGroups":{},"numCacheNodes":1}"#)
        let withStray = ShapeValue.object(["CacheClusterId": .string("c1"), "Zeta": .string("z\"")])
        #expect(rendered(withStray, "CacheCluster") == #"{"cacheClusterId":"c1","zeta":"z\""}"#)
        let secret = ShapeValue.object(["AuthToken": .string("s3cret-token-value"), "CacheClusterId": .string("c1")])
        #expect(
            rendered(secret, "CreateCacheClusterMessage")
                == #"{"authToken":"HIDDEN_DUE_TO_SECURITY_REASONS","cacheClusterId":"c1"}"#)
        #expect(rendered(secret, "CreateCacheClusterMessage", omittingSecrets: true) == #"{"cacheClusterId":"c1"}"#)
    }

    /// A staged create's answer is rendered into its event before the transaction; the
    /// transaction's rendering copies what was kept.
    @Test func anEncodedValueKeepsItsRecordJSONPerShapeAndForm() {
        let values = EventValues(model: .elastiCache)
        let shape = ServiceModel.elastiCache.shape("CacheCluster")
        func rendered(_ value: ShapeValue, omittingSecrets: Bool) -> String {
            var bytes: [UInt8] = []
            values.render(value, shape: shape, to: &bytes, omittingSecrets: omittingSecrets)
            return String(decoding: bytes, as: UTF8.self)
        }
        let cluster = ShapeValue.object(["CacheClusterId": .string("c1"), "NumCacheNodes": .integer(2)])
        let encoded = EncodedValue(cluster)
        #expect(encoded.recordJSON(shape: shape, omittingSecrets: true) == nil)
        let first = rendered(.encoded(encoded), omittingSecrets: true)
        #expect(first == #"{"cacheClusterId":"c1","numCacheNodes":2}"#)
        #expect(
            encoded.recordJSON(shape: shape, omittingSecrets: true).map { String(decoding: $0, as: UTF8.self) } == first
        )
        // Kept per form: the other form is rendered, not copied.
        #expect(encoded.recordJSON(shape: shape, omittingSecrets: false) == nil)
        #expect(encoded.recordJSON(shape: ServiceModel.elastiCache.shape("CacheNode"), omittingSecrets: true) == nil)
        // What is kept is what a later rendering writes.
        encoded.keepRecordJSON(Array(#"{"kept":1}"#.utf8), shape: shape, omittingSecrets: true)
        #expect(rendered(.encoded(encoded), omittingSecrets: true) == #"{"kept":1}"#)
        #expect(rendered(.encoded(encoded), omittingSecrets: false) == #"{"cacheClusterId":"c1","numCacheNodes":2}"#)
    }
}
