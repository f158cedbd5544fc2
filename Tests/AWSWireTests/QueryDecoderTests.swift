import AWSModels
import Foundation
import Testing

@testable import AWSWire

struct QueryDecoderTests {
    let elastiCache = QueryDecoder(model: .elastiCache)

    @Test func decodesTheSeedCreateCacheClusterWithListsAndTypes() throws {
        let value = try elastiCache.decode(
            [
                "CacheClusterId": "test-memcached", "Engine": "memcached", "NumCacheNodes": "2",
                "AZMode": "cross-az", "CacheNodeType": "cache.m1.small",
                "SecurityGroupIds.SecurityGroupId.1": "sg-1", "SecurityGroupIds.SecurityGroupId.2": "sg-2",
                "Tags.Tag.1.Key": "team", "Tags.Tag.1.Value": "audit", "AutoMinorVersionUpgrade": "true",
            ], shape: "CreateCacheClusterMessage")
        #expect(value[member: "NumCacheNodes"] == .integer(2))
        #expect(value[member: "AZMode"] == .string("cross-az"))
        #expect(value[member: "AutoMinorVersionUpgrade"] == .boolean(true))
        #expect(value[member: "SecurityGroupIds"] == .list([.string("sg-1"), .string("sg-2")]))
        #expect(value[member: "Tags"] == .list([.structure(["Key": .string("team"), "Value": .string("audit")])]))
    }

    /// Members are found through a filter of the parameters' lengths and end bytes first: every
    /// string member sent at once (names of equal length and ends among them) is found, and
    /// none that was not sent.
    @Test func everyMemberSentIsFoundWhateverItsNameSharesWithOthers() throws {
        let shape = ServiceModel.elastiCache.shape("CreateCacheClusterMessage")
        let strings = shape.members.filter {
            let target = ServiceModel.elastiCache.shape($0.shape)
            return target.kind == .string && target.enumValues == nil
        }
        #expect(strings.count > 10)
        var parameters: [String: String] = [:]
        for member in strings { parameters[member.locationName ?? member.name] = "v-\(member.name)" }
        let value = try elastiCache.decode(parameters, shape: "CreateCacheClusterMessage")
        for member in strings { #expect(value[member: member.name] == .string("v-\(member.name)")) }
        let half = Dictionary(
            uniqueKeysWithValues: parameters.sorted { $0.key < $1.key }.prefix(strings.count / 2).map { $0 })
        let fewer = try elastiCache.decode(half, shape: "CreateCacheClusterMessage")
        for member in strings {
            #expect((fewer[member: member.name] != nil) == (half[member.locationName ?? member.name] != nil))
        }
    }

    @Test func anEmptyListIsSentAsABareName() throws {
        let value = try elastiCache.decode(
            ["CacheClusterId": "c", "SecurityGroupIds": ""], shape: "CreateCacheClusterMessage")
        #expect(value[member: "SecurityGroupIds"] == .list([]))
    }

    @Test func decodesMapsWithEntryKeyValue() throws {
        let sns = QueryDecoder(model: .sns)
        let value = try sns.decode(
            [
                "Name": "trail-topic", "Attributes.entry.1.key": "DisplayName", "Attributes.entry.1.value": "Trail",
                "Attributes.entry.2.key": "Policy", "Attributes.entry.2.value": "{}",
            ], shape: "CreateTopicInput")
        #expect(value[member: "Attributes"] == .map(["DisplayName": .string("Trail"), "Policy": .string("{}")]))
    }

    @Test func missingRequiredMemberIsMissingParameter() {
        #expect(throws: AWSError.missingParameter("CacheClusterId")) {
            try elastiCache.decode(["Engine": "redis"], shape: "CreateCacheClusterMessage")
        }
    }

    @Test func badScalarsNameTheParameter() {
        #expect {
            try elastiCache.decode(["CacheClusterId": "c", "NumCacheNodes": "two"], shape: "CreateCacheClusterMessage")
        } throws: { error in
            let aws = error as? AWSError
            return aws?.code == "InvalidParameterValue" && aws?.message.contains("NumCacheNodes") == true
        }
        #expect {
            try elastiCache.decode(["CacheClusterId": "c", "AZMode": "everywhere"], shape: "CreateCacheClusterMessage")
        } throws: { error in
            (error as? AWSError)?.message.contains("single-az") == true
        }
    }

    @Test func iamAndStsWordErrorsAsValidationError() {
        let sts = QueryDecoder(model: .sts)
        #expect {
            try sts.decode(
                ["RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s", "DurationSeconds": "10"],
                shape: "AssumeRoleRequest")
        } throws: { error in
            let aws = error as? AWSError
            return aws?.code == "ValidationError"
                && aws?.message
                    == "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
        }
    }

    /// A nested value's error names its place (list index, member) as the validator spells it;
    /// paths are spelled only when an error needs one.
    @Test func nestedErrorsNameTheirPlace() throws {
        let sts = QueryDecoder(model: .sts)
        let role = ["RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "session"]
        #expect {
            try sts.decode(
                role.merging(["Tags.member.1.Key": "a", "Tags.member.1.Value": "b", "Tags.member.2.Key": "c"]) { $1 },
                shape: "AssumeRoleRequest")
        } throws: { error in
            (error as? AWSError)?.message
                == "1 validation error detected: Value null at 'tags.2.Value' failed to satisfy constraint: Member must not be null"
        }
        let long = String(repeating: "k", count: 129)
        #expect {
            try sts.decode(
                role.merging(["Tags.member.1.Key": long, "Tags.member.1.Value": "b"]) { $1 }, shape: "AssumeRoleRequest"
            )
        } throws: { error in
            (error as? AWSError)?.message
                == "1 validation error detected: Value '\(long)' at 'tags.1.Key' failed to satisfy constraint: Member must have length less than or equal to 128"
        }
        // ElastiCache's Tag requires neither member: a tag without a key still decodes.
        let tags = try elastiCache.decode(
            ["CacheClusterId": "c", "Tags.Tag.1.Key": "k", "Tags.Tag.1.Value": "v", "Tags.Tag.2.Value": "w"],
            shape: "CreateCacheClusterMessage")[member: "Tags"]
        #expect(
            tags
                == .list([
                    .structure(["Key": .string("k"), "Value": .string("v")]), .structure(["Value": .string("w")]),
                ]))
    }

    @Test func sensitiveValuesAreNotEchoed() {
        let iam = QueryDecoder(model: .sts)
        #expect {
            try iam.decode(["SerialNumber": "arn", "TokenCode": "12"], shape: "GetSessionTokenRequest")
        } throws: { error in
            (error as? AWSError)?.code == "ValidationError"
        }
    }

    @Test func hostileShapesAreRefused() {
        var many: [String: String] = [:]
        for i in 0...QueryDecoder.maxParameters { many["P\(i)"] = "x" }
        #expect(throws: AWSError.self) { try elastiCache.decode(many, shape: "CreateCacheClusterMessage") }
        let deep = Array(repeating: "a", count: 40).joined(separator: ".")
        #expect(throws: AWSError.self) { try elastiCache.decode([deep: "x"], shape: "CreateCacheClusterMessage") }
    }

    @Test func formParametersDecodePercentAndPlus() {
        let params = QueryDecoder.formParameters("Action=GetUser&UserName=a%2Bb+c&Empty=&Flag")
        #expect(params == ["Action": "GetUser", "UserName": "a+b c", "Empty": "", "Flag": ""])
        // Empty pairs are skipped wherever they are; a part of a larger text reads only itself.
        #expect(QueryDecoder.formParameters("&&A=1&&B=é&") == ["A": "1", "B": "é"])
        #expect(QueryDecoder.formParameters("") == [:])
        let whole = "x=0&A=1&y=2"
        let part = whole[whole.index(whole.startIndex, offsetBy: 4)..<whole.index(whole.startIndex, offsetBy: 7)]
        #expect(QueryDecoder.formParameters(part) == ["A": "1"])
    }

    /// A body's bytes decode as its text does; malformed UTF-8 is repaired, not dropped.
    @Test func formParametersOfBodyBytesMatchThoseOfItsText() {
        let body = Array("Action=CreateCacheCluster&Tags.member.1.Value=caf%C3%A9+bar&Flag".utf8)
        #expect(
            QueryDecoder.formParameters(utf8: body)
                == QueryDecoder.formParameters(Substring(decoding: body, as: UTF8.self)))
        #expect(QueryDecoder.formParameters(utf8: body)["Tags.member.1.Value"] == "café bar")
        let malformed: [UInt8] = Array("A=".utf8) + [0xFF] + Array("&B=2".utf8)
        #expect(QueryDecoder.formParameters(utf8: malformed) == ["A": "\u{FFFD}", "B": "2"])
    }

    /// The hand-written decoder agrees with Foundation's on well-formed, multi-byte and
    /// malformed escapes (Foundation gives nil for the malformed: the text keeps its escapes).
    @Test func formUnescapeMatchesFoundation() {
        let samples = [
            "plain", "a+b", "%41%62c", "caf%C3%A9+%F0%9F%92%A1", "100%", "%2", "%zz", "%C3", "%ff%fe", "a%2Bb%2b",
            "", "+++", "%25%2B",
        ]
        for sample in samples {
            let plusFree = sample.replacingOccurrences(of: "+", with: " ")
            #expect(
                QueryDecoder.formUnescape(Substring(sample)) == plusFree.removingPercentEncoding ?? plusFree,
                "\(sample)")
        }
    }
}

/// Hostile parameter names are refused before any work grows with their square.
struct QueryDecoderLimitTests {
    let elastiCache = QueryDecoder(model: .elastiCache)

    @Test(arguments: [2_000, 80_000, 800_000])
    func aLongDottedKeyIsRefusedByItsLength(length: Int) {
        let key = String(repeating: ".", count: length)
        #expect(throws: AWSError.self) {
            try elastiCache.decode(["CacheClusterId": "c", key: "x"], shape: "CreateCacheClusterMessage")
        }
    }

    @Test func aKeyDeeperThanTheLimitIsRefusedAtAnyLength() {
        let key = Array(repeating: "a", count: QueryDecoder.maxDepth + 2).joined(separator: ".")
        #expect(key.utf8.count < QueryDecoder.maxKeyLength)
        #expect(
            throws: AWSError(
                code: "InvalidParameterValue", message: "The parameter \(key.prefix(64)) is nested too deeply.")
        ) {
            try elastiCache.decode(["CacheClusterId": "c", key: "x"], shape: "CreateCacheClusterMessage")
        }
    }

    @Test func realNestedNamesStillDecode() throws {
        let value = try QueryDecoder(model: .elastiCache).decode(
            [
                "ReplicationGroupId": "g", "ReplicationGroupDescription": "d",
                "NodeGroupConfiguration.NodeGroupConfiguration.1.ReplicaAvailabilityZones.AvailabilityZone.1":
                    "us-east-1a",
            ], shape: "CreateReplicationGroupMessage")
        let groups = value[member: "NodeGroupConfiguration"]?.listValue
        #expect(groups?.first?[member: "ReplicaAvailabilityZones"] == .list([.string("us-east-1a")]))
    }
}

/// ElastiCache's empty optional parameters are not given; other services keep them.
struct EmptyOptionalTests {
    @Test func anEmptyOptionalElastiCacheParameterIsNotGiven() throws {
        let value = try QueryDecoder(model: .elastiCache).decode(
            ["CacheClusterId": "c", "EngineVersion": "", "CacheParameterGroupName": "", "CacheSubnetGroupName": ""],
            shape: "CreateCacheClusterMessage")
        #expect(value[member: "EngineVersion"] == nil)
        #expect(value[member: "CacheSubnetGroupName"] == nil)
        #expect(value[member: "CacheClusterId"] == .string("c"))
    }

    @Test func snsKeepsAnEmptyAttributeValue() throws {
        let value = try QueryDecoder(model: .sns).decode(
            ["TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "AttributeName": "DisplayName", "AttributeValue": ""],
            shape: "SetTopicAttributesInput")
        #expect(value[member: "AttributeValue"] == .string(""))
    }
}
