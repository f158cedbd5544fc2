import ServiceContract
import Testing

@testable import IAM

struct PolicyEvaluatorTests {
    let alice = Principal(
        kind: .iamUser, principalId: "AIDAALICE", arn: "arn:aws:iam::111111111111:user/alice",
        accountId: "111111111111",
        userName: "alice", policyUser: "alice")

    func identity(_ json: String) throws -> PolicyDocument {
        try PolicyDocument.parse(json, use: .identity)
    }

    func request(_ action: String, _ resource: String = "*", context: [String: [String]] = [:]) -> AccessRequest {
        AccessRequest(action: action, resource: resource, principal: alice, context: context)
    }

    @Test(arguments: [
        ("elasticache:*", "elasticache:CreateCacheCluster", true),
        ("elasticache:Describe*", "elasticache:DescribeCacheClusters", true),
        ("elasticache:Describe*", "elasticache:CreateCacheCluster", false),
        ("ElastiCache:describecacheclusters", "elasticache:DescribeCacheClusters", true),
        ("s3:Get?bject", "s3:GetObject", true),
        ("*", "sts:AssumeRole", true),
    ])
    func actionsMatchCaseInsensitively(pattern: String, action: String, expected: Bool) {
        #expect(PolicyEvaluator.wildcard(pattern, action, caseInsensitive: true) == expected)
    }

    @Test func resourcesMatchCaseSensitivelyAcrossSlashes() {
        #expect(
            PolicyEvaluator.wildcard("arn:aws:s3:::bucket/AWSLogs/*", "arn:aws:s3:::bucket/AWSLogs/1/CloudTrail/x.gz"))
        #expect(!PolicyEvaluator.wildcard("arn:aws:s3:::bucket/awslogs/*", "arn:aws:s3:::bucket/AWSLogs/1"))
        #expect(!PolicyEvaluator.wildcard("arn:aws:s3:::bucket", "arn:aws:s3:::bucket2"))
    }

    @Test func explicitDenyWinsOverAllow() throws {
        let policy = try identity(
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}"#
        )
        #expect(PolicyEvaluator.evaluate([policy], request("iam:CreateUser"), checkPrincipal: false) == .allow)
        #expect(PolicyEvaluator.evaluate([policy], request("iam:DeleteUser"), checkPrincipal: false) == .explicitDeny)
        #expect(PolicyEvaluator.evaluate([policy], request("sts:AssumeRole"), checkPrincipal: false) == .implicitDeny)
    }

    @Test func notActionAndNotResource() throws {
        let policy = try identity(
            #"{"Statement":{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:elasticache:*:*:cluster:prod-*"}}"#
        )
        #expect(
            PolicyEvaluator.evaluate(
                [policy], request("elasticache:CreateCacheCluster", "arn:aws:elasticache:us-east-1:1:cluster:dev"),
                checkPrincipal: false) == .allow)
        #expect(
            PolicyEvaluator.evaluate(
                [policy], request("elasticache:CreateCacheCluster", "arn:aws:elasticache:us-east-1:1:cluster:prod-1"),
                checkPrincipal: false) == .implicitDeny)
        #expect(PolicyEvaluator.evaluate([policy], request("iam:CreateUser"), checkPrincipal: false) == .implicitDeny)
    }

    @Test func malformedDocumentsAreRefusedWithAwsWording() {
        #expect(throws: PolicyError("Syntax errors in policy.")) { try PolicyDocument.parse("{", use: .identity) }
        #expect(throws: PolicyError("Missing required field Effect")) {
            try PolicyDocument.parse(#"{"Statement":[{"Action":"s3:*","Resource":"*"}]}"#, use: .identity)
        }
        #expect(throws: PolicyError("Policy document should not specify a principal.")) {
            try PolicyDocument.parse(
                #"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#, use: .identity)
        }
        #expect(throws: PolicyError("Missing required field Principal")) {
            try PolicyDocument.parse(#"{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#, use: .trust)
        }
    }
}

struct ConditionAndPrincipalTests {
    let trail = Principal.service("cloudtrail.amazonaws.com", account: "111111111111")

    /// The bucket policy CloudTrail's documentation gives for log delivery.
    let bucketPolicy = """
        {"Version":"2012-10-17","Statement":[
          {"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
           "Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/111111111111/*",
           "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control",
                        "aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111111111111:trail/main"}}}]}
        """

    @Test func cloudTrailBucketPolicyAllowsOnlyTheTrailWithTheAcl() throws {
        let policy = try PolicyDocument.parse(bucketPolicy, use: .resource)
        let key = "arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/27/x.json.gz"
        let good: [String: [String]] = [
            "s3:x-amz-acl": ["bucket-owner-full-control"],
            "aws:SourceArn": ["arn:aws:cloudtrail:us-east-1:111111111111:trail/main"],
        ]
        func decide(_ principal: Principal, _ resource: String, _ context: [String: [String]]) -> PolicyDecision {
            PolicyEvaluator.evaluate(
                [policy],
                AccessRequest(action: "s3:PutObject", resource: resource, principal: principal, context: context),
                checkPrincipal: true)
        }
        #expect(decide(trail, key, good) == .allow)
        var noAcl = good
        noAcl["s3:x-amz-acl"] = nil
        #expect(decide(trail, key, noAcl) == .implicitDeny)
        #expect(decide(.service("sns.amazonaws.com", account: "111111111111"), key, good) == .implicitDeny)
        #expect(decide(trail, "arn:aws:s3:::logs/AWSLogs/222222222222/x", good) == .implicitDeny)
    }

    @Test(arguments: [
        (
            "StringLike", "arn:aws:cloudtrail:*:111111111111:trail/*",
            "arn:aws:cloudtrail:eu-west-1:111111111111:trail/t", true
        ),
        (
            "ArnLike", "arn:aws:cloudtrail:*:222222222222:trail/*", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/t",
            false
        ),
        ("StringNotEquals", "a", "b", true),
        ("StringEqualsIgnoreCase", "ABC", "abc", true),
        ("IpAddress", "192.0.2.0/24", "192.0.2.77", true),
        ("IpAddress", "192.0.2.0/24", "198.51.100.1", false),
        ("NotIpAddress", "10.0.0.0/8", "127.0.0.1", true),
        ("IpAddress", "2001:db8::/32", "2001:db8::1", true),
        ("Bool", "false", "false", true),
        ("NoSuchOperator", "a", "a", false),
    ])
    func operators(op: String, expected: String, actual: String, holds: Bool) {
        let condition = PolicyDocument.Condition(op: op, key: "k", values: [expected])
        #expect(ConditionEvaluator.holds(condition, ["k": [actual]]) == holds)
    }

    @Test func absentKeys() {
        #expect(!ConditionEvaluator.holds(.init(op: "StringEquals", key: "k", values: ["a"]), [:]))
        #expect(ConditionEvaluator.holds(.init(op: "StringEqualsIfExists", key: "k", values: ["a"]), [:]))
        #expect(ConditionEvaluator.holds(.init(op: "StringNotEquals", key: "k", values: ["a"]), [:]))
        #expect(ConditionEvaluator.holds(.init(op: "Null", key: "k", values: ["true"]), [:]))
        #expect(!ConditionEvaluator.holds(.init(op: "Null", key: "k", values: ["true"]), ["k": ["v"]]))
    }

    @Test func principalsByAccountArnAndRole() throws {
        let session = Principal(
            kind: .assumedRole, principalId: "AROAX:s", arn: "arn:aws:sts::111111111111:assumed-role/r/s",
            accountId: "111111111111",
            sessionIssuer: .init(
                type: "Role", principalId: "AROAX", arn: "arn:aws:iam::111111111111:role/r", accountId: "111111111111",
                userName: "r"))
        let byAccount = PolicyDocument.Principals(any: false, values: ["AWS": ["111111111111"]])
        let byRoot = PolicyDocument.Principals(any: false, values: ["AWS": ["arn:aws:iam::111111111111:root"]])
        let byRole = PolicyDocument.Principals(any: false, values: ["AWS": ["arn:aws:iam::111111111111:role/r"]])
        let other = PolicyDocument.Principals(any: false, values: ["AWS": ["arn:aws:iam::222222222222:root"]])
        #expect(PolicyEvaluator.matches(byAccount, session))
        #expect(PolicyEvaluator.matches(byRoot, session))
        #expect(PolicyEvaluator.matches(byRole, session))
        #expect(!PolicyEvaluator.matches(other, session))
        #expect(
            !PolicyEvaluator.matches(PolicyDocument.Principals(any: false, values: ["AWS": ["111111111111"]]), trail))
    }
}

/// Condition operators and policy variables as IAM evaluates them.
struct ConditionOperatorTests {
    func holds(_ op: String, _ key: String, _ values: [String], _ context: [String: [String]]) -> Bool {
        ConditionEvaluator.holds(PolicyDocument.Condition(op: op, key: key, values: values), context)
    }

    @Test func setQualifiersCompareEveryValueOrAnyValue() {
        let tags = ["aws:tagkeys": ["env", "team"]]
        #expect(holds("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team", "cost"], tags))
        #expect(!holds("ForAllValues:StringEquals", "aws:TagKeys", ["env"], tags))
        #expect(holds("ForAllValues:StringEquals", "aws:TagKeys", ["env"], [:]))  // nothing to check
        #expect(holds("ForAnyValue:StringEquals", "aws:TagKeys", ["team"], tags))
        #expect(!holds("ForAnyValue:StringEquals", "aws:TagKeys", ["cost"], tags))
        #expect(!holds("ForAnyValue:StringEquals", "aws:TagKeys", ["team"], [:]))
    }

    @Test func numericAndDateOperators() {
        let context = [
            "elasticache:numnodegroups": ["3"], "aws:currenttime": ["2026-11-30T12:00:00Z"],
        ]
        #expect(holds("NumericLessThanEquals", "elasticache:NumNodeGroups", ["3"], context))
        #expect(!holds("NumericLessThan", "elasticache:NumNodeGroups", ["3"], context))
        #expect(holds("NumericGreaterThanEquals", "elasticache:NumNodeGroups", ["3"], context))
        #expect(holds("NumericNotEquals", "elasticache:NumNodeGroups", ["4"], context))
        #expect(holds("DateLessThan", "aws:CurrentTime", ["2027-01-01T00:00:00Z"], context))
        #expect(!holds("DateGreaterThan", "aws:CurrentTime", ["2027-01-01T00:00:00Z"], context))
        #expect(holds("DateGreaterThanEquals", "aws:CurrentTime", ["1764504000"], context))  // epoch seconds
        #expect(holds("NumericLessThanIfExists", "elasticache:ReplicasPerNodeGroup", ["2"], context))
    }

    @Test func policyVariablesTakeTheRequestsValues() throws {
        let context = ["aws:username": ["alice"]]
        #expect(holds("StringEquals", "aws:username", ["${aws:username}"], context))
        #expect(!holds("StringEquals", "aws:username", ["${aws:userid}"], context))  // no value: no match
        #expect(ConditionEvaluator.substitute("home/${aws:username}/${*}", context) == "home/alice/*")
        let alice = Principal(
            kind: .iamUser, principalId: "AIDAALICE", arn: "arn:aws:iam::111111111111:user/alice",
            accountId: "111111111111", userName: "alice", policyUser: "alice")
        let document = try PolicyDocument.parse(
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
            use: .identity)
        let statement = try #require(document.statements.first)
        let own = AccessRequest(
            action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/notes", principal: alice,
            context: ["aws:username": ["alice"]])
        var other = own
        other.resource = "arn:aws:s3:::home/bob/notes"
        #expect(PolicyEvaluator.applies(statement, own, checkPrincipal: false))
        #expect(!PolicyEvaluator.applies(statement, other, checkPrincipal: false))
    }
}
