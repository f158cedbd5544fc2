import AWSWire
import Foundation
import Persistence
import ServiceContract
import Testing

@testable import IAM

/// The authorizer over an in-memory store: identity policies, resource policies, accounts.
struct AuthorizerTests {
    let store: SQLiteStateStore
    let authorizer: Authorizer

    init() throws {
        store = try SQLiteStateStore(path: nil)
        authorizer = Authorizer()
    }

    func user(_ name: String, account: String = "111111111111", policy: String? = nil) async throws -> Principal {
        try await store.write { tx in
            if let policy {
                try tx.put(
                    InlinePolicyRecord(owner: name, policyName: "p", document: policy), kind: Kind.userPolicy,
                    scope: account, id: "\(name)/p")
            }
        }
        return Principal(
            kind: .iamUser, principalId: "AIDA\(name)", arn: "arn:aws:iam::\(account):user/\(name)", accountId: account,
            userName: name, policyUser: name)
    }

    /// Authorizes inside a read transaction, as the gateway does inside its write transaction.
    func check(_ request: AccessRequest, resourcePolicy: Authorizer.ResourcePolicy? = nil) async throws {
        try await store.read { [authorizer] tx in
            try authorizer.authorize(request, resourcePolicy: resourcePolicy, in: tx)
        }
    }

    @Test func rootIsNotLimitedByIdentityPolicies() async throws {
        try await check(
            AccessRequest(action: "iam:CreateUser", resource: "*", principal: .root(account: "111111111111")))
    }

    @Test func aUserWithoutPoliciesIsDeniedWithAwsMessage() async throws {
        let bob = try await user("bob")
        await #expect(
            throws: AWSError.accessDenied(
                "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: elasticache:CreateCacheCluster on resource: arn:aws:elasticache:us-east-1:111111111111:cluster:c because no identity-based policy allows the elasticache:CreateCacheCluster action"
            )
        ) {
            try await check(
                AccessRequest(
                    action: "elasticache:CreateCacheCluster",
                    resource: "arn:aws:elasticache:us-east-1:111111111111:cluster:c", principal: bob))
        }
    }

    @Test func crossAccountNeedsBothSides() async throws {
        let allowAll = #"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        let carol = try await user("carol", account: "222222222222", policy: allowAll)
        let dave = try await user("dave", account: "222222222222")
        let bucket = try PolicyDocument.parse(
            #"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}"#,
            use: .resource)
        let policy = Authorizer.ResourcePolicy(document: bucket, ownerAccount: "111111111111")
        try await check(
            AccessRequest(action: "s3:PutObject", resource: "arn:aws:s3:::b/k", principal: carol),
            resourcePolicy: policy)
        await #expect(throws: AWSError.self) {
            try await check(
                AccessRequest(action: "s3:PutObject", resource: "arn:aws:s3:::b/k", principal: dave),
                resourcePolicy: policy)
        }
        // The resource policy does not name carol for GetObject: denied although her identity allows it.
        await #expect(throws: AWSError.self) {
            try await check(
                AccessRequest(action: "s3:GetObject", resource: "arn:aws:s3:::b/k", principal: carol),
                resourcePolicy: policy)
        }
    }

    @Test func aSessionPolicyLimitsTheSession() async throws {
        var eve = try await user("eve", policy: #"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#)
        eve.sessionPolicy = #"{"Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#
        try await check(AccessRequest(action: "iam:ListUsers", resource: "*", principal: eve))
        await #expect(throws: AWSError.self) {
            try await check(AccessRequest(action: "iam:CreateUser", resource: "*", principal: eve))
        }
    }

    @Test func identityStoreResolvesRootUserAndSessionKeys() async throws {
        let identities = IdentityStore(store: store)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let (root, created) = try await identities.ensureAccount("333333333333", rootKey: nil, now: now)
        #expect(created)
        let (again, createdAgain) = try await identities.ensureAccount("333333333333", rootKey: nil, now: now)
        #expect(!createdAgain && again == root)
        let resolved = try #require(try await identities.resolve(root.accessKeyId))
        #expect(resolved.principal == .root(account: "333333333333", accessKeyId: root.accessKeyId))
        #expect(try await identities.resolve("AKIANOPE") == nil)
        await #expect(throws: IdentityError.self) { try await identities.createAccount("333333333333", now: now) }
    }
}

struct ServicePrincipalTests {
    @Test func aServiceIsAllowedOnlyByTheResourcePolicyWhateverTheAccount() async throws {
        let store = try SQLiteStateStore(path: nil)
        let trail = Principal.service("cloudtrail.amazonaws.com", account: "222222222222")
        let policy = try PolicyDocument.parse(
            #"{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/AWSLogs/222222222222/*","Condition":{"StringEquals":{"aws:SourceAccount":"222222222222"}}}]}"#,
            use: .resource)
        let owner = Authorizer.ResourcePolicy(document: policy, ownerAccount: "111111111111")
        let allowed = AccessRequest(
            action: "s3:PutObject", resource: "arn:aws:s3:::b/AWSLogs/222222222222/x", principal: trail,
            context: ["aws:SourceAccount": ["222222222222"]])
        try await store.read { tx in try Authorizer().authorize(allowed, resourcePolicy: owner, in: tx) }
        let elsewhere = AccessRequest(
            action: "s3:PutObject", resource: "arn:aws:s3:::b/AWSLogs/111111111111/x", principal: trail,
            context: ["aws:SourceAccount": ["222222222222"]])
        await #expect(throws: AWSError.self) {
            try await store.read { tx in try Authorizer().authorize(elsewhere, resourcePolicy: owner, in: tx) }
        }
        await #expect(throws: AWSError.self) {
            try await store.read { tx in try Authorizer().authorize(allowed, resourcePolicy: nil, in: tx) }
        }
    }
}
