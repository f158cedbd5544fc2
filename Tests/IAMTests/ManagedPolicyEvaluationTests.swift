import AWSWire
import Foundation
import Persistence
import ServiceContract
import Testing

@testable import IAM

/// Managed policies, groups, permissions boundaries and session policies as the authorizer
/// combines them (AWS's policy evaluation logic: an explicit deny anywhere wins; a boundary
/// and a session policy cap what identity policies allow).
struct ManagedPolicyEvaluationTests {
    let store: SQLiteStateStore
    let account = "111111111111"
    static let allowAll =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"elasticache:*","Resource":"*"}]}"#
    static let describeOnly =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"elasticache:Describe*","Resource":"*"}]}"#

    init() throws {
        store = try SQLiteStateStore(path: nil)
    }

    private var alice: Principal {
        Principal(
            kind: .iamUser, principalId: "AIDAALICE", arn: "arn:aws:iam::\(account):user/alice", accountId: account,
            userName: "alice", policyUser: "alice")
    }

    private func customerPolicy(_ name: String, _ document: String) -> ManagedPolicyRecord {
        ManagedPolicyRecord(
            policyName: name, policyId: "ANPA\(name)", arn: "arn:aws:iam::\(account):policy/\(name)", path: "/",
            description: nil, createDate: Date(), updateDate: Date(), defaultVersionId: "v1",
            versions: [PolicyVersionRecord(versionId: "v1", document: document, createDate: Date())], nextVersion: 2)
    }

    private func attach(_ owner: AttachmentRecord.Owner, _ name: String, _ arn: String) async throws {
        let account = account
        _ = try await store.write { tx in
            try tx.put(
                AttachmentRecord(owner: owner, ownerName: name, policyArn: arn), kind: Kind.attachment, scope: account,
                id: AttachmentRecord.id(owner, name, arn))
        }
    }

    private func put<T: CachedDocument>(_ record: T, kind: String, id: String) async throws {
        let account = account
        _ = try await store.write { tx in try tx.put(record, kind: kind, scope: account, id: id) }
    }

    /// nil when allowed, else the AccessDenied message's reason (after the resource).
    private func reason(_ action: String, as principal: Principal? = nil) async throws -> String? {
        let request = AccessRequest(
            action: "elasticache:\(action)", resource: "arn:aws:elasticache:us-east-1:\(account):cluster:c",
            principal: principal ?? alice)
        do {
            try await store.read { tx in try Authorizer().authorize(request, in: tx) }
            return nil
        } catch let error as AWSError {
            return error.message.components(separatedBy: "cluster:c ").last
        }
    }

    @Test func anAttachedAWSManagedPolicyAllowsWhatItsDocumentDoes() async throws {
        #expect(try await reason("DescribeCacheClusters") != nil)
        try await attach(.user, "alice", "arn:aws:iam::aws:policy/AmazonElastiCacheReadOnlyAccess")
        #expect(try await reason("DescribeCacheClusters") == nil)
        #expect(
            try await reason("CreateCacheCluster")
                == "because no identity-based policy allows the elasticache:CreateCacheCluster action")
    }

    @Test func aCustomerPolicyAllowsThroughItsDefaultVersionOnly() async throws {
        var policy = customerPolicy("ops", Self.describeOnly)
        policy.versions.append(PolicyVersionRecord(versionId: "v2", document: Self.allowAll, createDate: Date()))
        try await put(policy, kind: Kind.policy, id: "ops")
        try await attach(.user, "alice", policy.arn)
        #expect(try await reason("CreateCacheCluster") != nil)
        policy.defaultVersionId = "v2"
        try await put(policy, kind: Kind.policy, id: "ops")
        #expect(try await reason("CreateCacheCluster") == nil)
    }

    @Test func aGroupsInlineAndAttachedPoliciesApplyToItsMembers() async throws {
        try await put(GroupMemberRecord(groupName: "ops", userName: "alice"), kind: Kind.groupMember, id: "ops/alice")
        try await put(
            InlinePolicyRecord(owner: "ops", policyName: "p", document: Self.describeOnly), kind: Kind.groupPolicy,
            id: "ops/p")
        #expect(try await reason("DescribeCacheClusters") == nil)
        #expect(try await reason("DeleteCacheCluster") != nil)
        try await attach(.group, "ops", "arn:aws:iam::aws:policy/AdministratorAccess")
        #expect(try await reason("DeleteCacheCluster") == nil)
    }

    @Test func aBoundaryCapsIdentityPolicies() async throws {
        try await put(
            InlinePolicyRecord(owner: "alice", policyName: "all", document: Self.allowAll), kind: Kind.userPolicy,
            id: "alice/all")
        try await put(customerPolicy("cap", Self.describeOnly), kind: Kind.policy, id: "cap")
        try await put(
            BoundaryRecord(policyArn: "arn:aws:iam::\(account):policy/cap"), kind: Kind.boundary, id: "user/alice")
        #expect(try await reason("DescribeCacheClusters") == nil)
        #expect(
            try await reason("CreateCacheCluster")
                == "because no permissions boundary allows the elasticache:CreateCacheCluster action")
        // The boundary alone allows nothing: Describe needs an identity policy too.
        let bob = Principal(
            kind: .iamUser, principalId: "AIDABOB", arn: "arn:aws:iam::\(account):user/bob", accountId: account,
            userName: "bob", policyUser: "bob")
        try await put(
            BoundaryRecord(policyArn: "arn:aws:iam::\(account):policy/cap"), kind: Kind.boundary, id: "user/bob")
        #expect(
            try await reason("DescribeCacheClusters", as: bob)
                == "because no identity-based policy allows the elasticache:DescribeCacheClusters action")
    }

    @Test func anExplicitDenyInABoundaryOrSessionPolicyIsNamed() async throws {
        try await put(
            InlinePolicyRecord(owner: "alice", policyName: "all", document: Self.allowAll), kind: Kind.userPolicy,
            id: "alice/all")
        let deny =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"elasticache:Delete*","Resource":"*"}]}"#
        try await put(customerPolicy("guard", deny), kind: Kind.policy, id: "guard")
        try await put(
            BoundaryRecord(policyArn: "arn:aws:iam::\(account):policy/guard"), kind: Kind.boundary, id: "user/alice")
        #expect(
            try await reason("DeleteCacheCluster")
                == "with an explicit deny in a permissions boundary")
        var session = alice
        session.sessionPolicy = Self.describeOnly
        #expect(
            try await reason("CreateCacheCluster", as: session)
                == "because no session policy allows the elasticache:CreateCacheCluster action")
        #expect(try await reason("DescribeCacheClusters", as: session) == nil)
    }
}

/// AWS managed policies are named in every partition, their documents' ARNs with them.
struct ManagedPolicyPartitionTests {
    @Test func aManagedPolicyIsNamedInThePartitionItIsAskedIn() throws {
        let arn = "arn:aws-cn:iam::aws:policy/AmazonElastiCacheFullAccess"
        let china = try #require(AWSManagedPolicies.named(arn: arn))
        #expect(china.arn == arn)
        #expect(china.document.contains(#""arn:aws-cn:iam::*:role/aws-service-role/"#))
        #expect(!china.document.contains(#""arn:aws:"#))
        let commercial = try #require(
            AWSManagedPolicies.named(arn: "arn:aws:iam::aws:policy/AmazonElastiCacheFullAccess"))
        #expect(commercial.document.contains(#""arn:aws:iam::*:role/"#))
        #expect(AWSManagedPolicies.named(arn: "arn:aws-iso:iam::aws:policy/AmazonElastiCacheFullAccess") == nil)
    }
}
