import AWSModels
import Foundation
import Persistence
import ServiceContract
import SigV4
import Synchronization

/// What an access key id resolves to: the secret to verify with and the identity it acts as.
package struct ResolvedKey: Sendable {
    package var secretAccessKey: String
    package var principal: Principal
    package var active: Bool
    /// Present for temporary credentials: the request must carry this token.
    package var sessionToken: String?
    package var expiration: Date?
}

/// Accounts, users, roles, keys and sessions, kept in the state store.
package struct IdentityStore: Sendable {
    package let store: any StateStore
    private let resolved = ResolvedKeys()
    /// Changes to the kinds ``read(_:)`` reads.
    private let identities: KindsGeneration

    package init(store: any StateStore) {
        self.store = store
        identities = store.documentGeneration(of: Self.resolvedKinds)
    }

    /// Creates the account `id` with a root key (the given one, or a new one) unless it exists;
    /// returns its root key either way.
    package func ensureAccount(_ id: String, rootKey: AWSCredentials?, now: Date) async throws -> (
        AccessKeyRecord, created: Bool
    ) {
        try await store.write { tx in
            if let preset = rootKey,
                let key = try tx.get(
                    AccessKeyRecord.self, kind: Kind.accessKey, scope: Kind.global, id: preset.accessKeyID)
            {
                return (key, false)
            }
            if rootKey == nil, try tx.get(AccountRecord.self, kind: Kind.account, scope: Kind.global, id: id) != nil,
                let key = try tx.list(AccessKeyRecord.self, kind: Kind.accessKey, scope: Kind.global)
                    .first(where: { $0.accountId == id && $0.userName == nil })
            {
                return (key, false)
            }
            return (try Self.addAccount(tx, id: id, rootKey: rootKey, now: now), true)
        }
    }

    /// Adds a new account with a fresh root key; fails if `id` is taken.
    package func createAccount(_ id: String?, now: Date) async throws -> AccessKeyRecord {
        try await store.write { tx in
            let accountId = id ?? Identifiers.accountId()
            if try tx.get(AccountRecord.self, kind: Kind.account, scope: Kind.global, id: accountId) != nil {
                throw IdentityError.accountExists(accountId)
            }
            return try Self.addAccount(tx, id: accountId, rootKey: nil, now: now)
        }
    }

    private static func addAccount(_ tx: any StateWriter, id: String, rootKey: AWSCredentials?, now: Date) throws
        -> AccessKeyRecord
    {
        if try tx.get(AccountRecord.self, kind: Kind.account, scope: Kind.global, id: id) == nil {
            try tx.put(AccountRecord(id: id, createDate: now), kind: Kind.account, scope: Kind.global, id: id)
        }
        let key = AccessKeyRecord(
            accessKeyId: rootKey?.accessKeyID ?? Identifiers.make("AKIA"),
            secretAccessKey: rootKey?.secretAccessKey ?? Identifiers.secret(), accountId: id, userName: nil,
            status: "Active", createDate: now)
        try tx.put(key, kind: Kind.accessKey, scope: Kind.global, id: key.accessKeyId)
        return key
    }

    /// The identity behind `accessKeyId`, or nil when no such key exists. Every signed call
    /// asks: an answer is kept until a write changes a key, user, role or session (the kinds
    /// ``read(_:)`` reads), so a call reads the store once, not twice, and creating clusters
    /// does not make every call read its key again.
    package func resolve(_ accessKeyId: String) async throws -> ResolvedKey? {
        let generation = identities.current
        if let kept = resolved.key(accessKeyId, generation: generation) { return kept }
        let key = try read(accessKeyId)
        // A key not found is not kept: `account create` may add it from another process.
        if let key { resolved.keep(key, for: accessKeyId, generation: generation) }
        return key
    }

    /// The kinds of document ``read(_:)`` reads.
    static let resolvedKinds = [Kind.session, Kind.accessKey, Kind.user, Kind.role]

    /// Read on the calling thread (``StateStore/readHere(_:)``): under writes every commit
    /// changes the generation, so most calls read, and a hop to a reader's queue and back cost
    /// about one context switch per call.
    private func read(_ accessKeyId: String) throws -> ResolvedKey? {
        try store.readHere { tx in
            if let session = try tx.get(SessionRecord.self, kind: Kind.session, scope: Kind.global, id: accessKeyId) {
                // A session outlives neither the user or role it came from nor its re-creation.
                // (Sessions stored before issuer ids were kept only need their issuer to exist.)
                let current = try Self.issuerId(of: session.principal, in: tx)
                guard current != "", session.issuerId == nil || session.issuerId == current else { return nil }
                return ResolvedKey(
                    secretAccessKey: session.secretAccessKey, principal: session.principal, active: true,
                    sessionToken: session.sessionToken, expiration: session.expiration)
            }
            guard let key = try tx.get(AccessKeyRecord.self, kind: Kind.accessKey, scope: Kind.global, id: accessKeyId)
            else {
                return nil
            }
            let principal: Principal
            if let userName = key.userName {
                guard let user = try tx.get(UserRecord.self, kind: Kind.user, scope: key.accountId, id: userName) else {
                    return nil
                }
                principal = Principal(
                    kind: .iamUser, principalId: user.userId, arn: user.arn, accountId: key.accountId,
                    accessKeyId: key.accessKeyId, userName: user.userName, policyUser: user.userName)
            } else {
                principal = .root(account: key.accountId, accessKeyId: key.accessKeyId)
            }
            return ResolvedKey(
                secretAccessKey: key.secretAccessKey, principal: principal, active: key.status == "Active",
                sessionToken: nil, expiration: nil)
        }
    }

    /// The unique id of the user or role whose policies `principal` uses, nil for root and
    /// services, or "" when that user or role no longer exists.
    package static func issuerId(of principal: Principal, in tx: any StateReader) throws -> String? {
        if let user = principal.policyUser {
            return try tx.get(UserRecord.self, kind: Kind.user, scope: principal.accountId, id: user)?.userId ?? ""
        }
        if let role = principal.policyRole {
            return try tx.get(RoleRecord.self, kind: Kind.role, scope: principal.accountId, id: role)?.roleId ?? ""
        }
        return nil
    }

    /// The identity-based policies that apply to `principal`: a user's inline and attached
    /// managed policies and those of its groups; a role's inline and attached policies.
    package static func identityPolicies(for principal: Principal, in tx: any StateReader) throws -> [String] {
        var owners: [(AttachmentRecord.Owner, String)] = []
        if let user = principal.policyUser {
            owners.append((.user, user))
            owners += try groups(of: user, account: principal.accountId, in: tx).map { (.group, $0) }
        } else if let role = principal.policyRole {
            owners.append((.role, role))
        }
        return try policySources(owners, account: principal.accountId, in: tx).map(\.document)
    }

    /// One identity policy, named as the policy simulator names it.
    struct PolicySource {
        /// The inline policy's name, or the managed policy's ARN.
        var id: String
        /// `user`, `group`, `role` (inline), `user-managed`, `aws-managed`.
        var type: String
        var document: String
    }

    /// The inline and attached policies of each owner.
    static func policySources(_ owners: [(AttachmentRecord.Owner, String)], account: String, in tx: any StateReader)
        throws -> [PolicySource]
    {
        guard !owners.isEmpty else { return [] }
        let attachments = try tx.list(AttachmentRecord.self, kind: Kind.attachment, scope: account)
        var sources: [PolicySource] = []
        for (owner, name) in owners {
            let kind = owner == .user ? Kind.userPolicy : owner == .role ? Kind.rolePolicy : Kind.groupPolicy
            sources += try tx.list(InlinePolicyRecord.self, kind: kind, scope: account)
                .filter { $0.owner == name }
                .map { PolicySource(id: $0.policyName, type: owner.rawValue, document: $0.document) }
            for attachment in attachments where attachment.owner == owner && attachment.ownerName == name {
                if let document = try ManagedPolicyOperations.document(attachment.policyArn, account: account, in: tx) {
                    let aws = Partition.afterPartition(attachment.policyArn)?.hasPrefix("iam::aws:") ?? false
                    sources.append(
                        PolicySource(
                            id: attachment.policyArn, type: aws ? "aws-managed" : "user-managed", document: document))
                }
            }
        }
        return sources
    }

    /// The permissions boundary's document of the user or role whose policies `principal` uses.
    package static func boundary(for principal: Principal, in tx: any StateReader) throws -> String? {
        let id = principal.policyUser.map { "user/\($0)" } ?? principal.policyRole.map { "role/\($0)" }
        guard let id,
            let record = try tx.get(BoundaryRecord.self, kind: Kind.boundary, scope: principal.accountId, id: id)
        else { return nil }
        // A boundary whose policy is gone allows nothing.
        return try ManagedPolicyOperations.document(record.policyArn, account: principal.accountId, in: tx)
            ?? #"{"Version":"2012-10-17","Statement":[]}"#
    }

    /// The groups `user` belongs to.
    static func groups(of user: String, account: String, in tx: any StateReader) throws -> [String] {
        try tx.list(GroupMemberRecord.self, kind: Kind.groupMember, scope: account)
            .filter { $0.userName == user }.map(\.groupName)
    }

}

package enum IdentityError: Error, CustomStringConvertible {
    case accountExists(String)
    case noSuchAccount(String)

    package var description: String {
        switch self {
        case .accountExists(let id): "account \(id) already exists"
        case .noSuchAccount(let id): "account \(id) does not exist"
        }
    }
}

/// Resolved access keys as of a document generation of the store.
private final class ResolvedKeys: Sendable {
    private let kept = Mutex<(generation: Int, keys: [String: ResolvedKey])>((0, [:]))
    /// At most this many keys are kept; a full cache starts over.
    static let capacity = 1_024

    func key(_ id: String, generation: Int) -> ResolvedKey? {
        kept.withLock { $0.generation == generation ? $0.keys[id] : nil }
    }

    func keep(_ key: ResolvedKey, for id: String, generation: Int) {
        kept.withLock { kept in
            // Read before a later change: not kept (the generation only rises).
            guard generation >= kept.generation else { return }
            if kept.generation != generation || kept.keys.count >= Self.capacity { kept = (generation, [:]) }
            kept.keys[id] = key
        }
    }
}
