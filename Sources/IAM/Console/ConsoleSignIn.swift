import Foundation
import Persistence
import ServiceContract

/// What a console sign-in attempt proved: the signed-in principal with fresh temporary
/// credentials, or who was claimed (for the `ConsoleLogin` Failure record).
package enum ConsoleSignInOutcome: Sendable {
    /// `mustChangePassword`: the login profile asks for a new password (PasswordResetRequired).
    case success(ConsoleCredentials, mustChangePassword: Bool)
    /// `claimed` is nil when the account does not exist here (no account records the attempt).
    case failure(claimed: Principal?)
}

/// Temporary credentials of a console session: an STS session acting as the signed-in user.
package struct ConsoleCredentials: Sendable, Codable, Equatable {
    package var accessKeyId: String
    @Sealed package var secretAccessKey: String
    @Sealed package var sessionToken: String
    package var expiration: Date
    package var principal: Principal

    package init(
        accessKeyId: String, secretAccessKey: String, sessionToken: String, expiration: Date, principal: Principal
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.principal = principal
    }
}

extension IdentityStore {
    /// How long a console session lasts, as AWS's console: 12 hours.
    package static let consoleSessionDuration: TimeInterval = 12 * 3600
    /// The user name CloudTrail records for a sign-in attempt with a user that does not exist.
    package static let hiddenUserName = "HIDDEN_DUE_TO_SECURITY_REASONS"

    /// Checks a console password: the root user's (`userName` nil) or an IAM user's login
    /// profile. Every attempt spends one scrypt derivation, whether or not the user exists.
    /// `event` renders the attempt's `ConsoleLogin` record, committed with the session (or alone).
    package func consoleSignIn(
        account: String, userName: String?, password: String, now: Date,
        event: @escaping @Sendable (ConsoleSignInOutcome) -> JournalEntry?
    ) async throws -> ConsoleSignInOutcome {
        // The records are read, the password checked outside any transaction (scrypt is slow
        // on purpose), then the session written.
        typealias Claim = (principal: Principal, hash: PasswordHash?, issuerId: String?, reset: Bool)
        let claim: Claim? = try await store.read { tx in
            guard let record = try tx.get(AccountRecord.self, kind: Kind.account, scope: Kind.global, id: account)
            else { return nil }
            guard let userName else {
                return (.root(account: account, accessKeyId: ""), record.rootPassword, nil, false)
            }
            let user = try tx.get(UserRecord.self, kind: Kind.user, scope: account, id: userName)
            let profile = try tx.get(LoginProfileRecord.self, kind: Kind.loginProfile, scope: account, id: userName)
            let principal = Principal(
                kind: .iamUser, principalId: user?.userId ?? "", arn: user?.arn ?? "", accountId: account,
                accessKeyId: "", userName: user == nil ? Self.hiddenUserName : userName,
                policyUser: user == nil ? nil : userName)
            return (
                principal, user == nil ? nil : profile?.password, user?.userId, profile?.passwordResetRequired ?? false
            )
        }
        guard let claim, let hash = claim.hash, hash.matches(password) else {
            if claim?.hash == nil { _ = PasswordHash.decoy?.matches(password) }
            let outcome = ConsoleSignInOutcome.failure(claimed: claim?.principal)
            if let entry = event(outcome) { _ = try await store.write { tx in try tx.appendEvent(entry) } }
            return outcome
        }
        var principal = claim.principal
        let keyId = Identifiers.make("ASIA")
        principal.accessKeyId = keyId
        principal.sessionCreationDate = now
        principal.consoleSession = true
        let credentials = ConsoleCredentials(
            accessKeyId: keyId, secretAccessKey: Identifiers.secret(), sessionToken: Identifiers.sessionToken(),
            expiration: now.addingTimeInterval(Self.consoleSessionDuration), principal: principal)
        let session = SessionRecord(
            accessKeyId: keyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken,
            expiration: credentials.expiration, principal: principal, issuerId: claim.issuerId)
        let outcome = ConsoleSignInOutcome.success(credentials, mustChangePassword: claim.reset)
        let entry = event(outcome)
        _ = try await store.write { tx in
            try tx.put(session, kind: Kind.session, scope: Kind.global, id: keyId)
            if let entry { try tx.appendEvent(entry) }
        }
        return outcome
    }

    /// Ends a console session's temporary credentials (sign-out).
    package func endSession(_ accessKeyId: String) async throws {
        _ = try await store.write { tx in try tx.delete(kind: Kind.session, scope: Kind.global, id: accessKeyId) }
    }

    /// Sets a new generated console password for `account`'s root user and returns it (the
    /// only time it is shown); with `onlyIfUnset`, returns nil when the root user has one.
    package func resetRootPassword(account: String, onlyIfUnset: Bool = false) async throws -> String? {
        // The hash costs ~100 ms by design: not made at every start for a password already set.
        if onlyIfUnset,
            try await store.read({ tx in
                try tx.get(AccountRecord.self, kind: Kind.account, scope: Kind.global, id: account)?.rootPassword != nil
            })
        {
            return nil
        }
        let password = PasswordRules.generate()
        // On a lowered thread of its own: at a fresh server's start this runs beside its first
        // calls, and two cores are all a small machine has.
        let hash = try await OwnThreads.bulk { Result { try PasswordHash(password: password) } }.get()
        return try await store.write { tx in
            guard var record = try tx.get(AccountRecord.self, kind: Kind.account, scope: Kind.global, id: account)
            else { throw IdentityError.noSuchAccount(account) }
            if onlyIfUnset, record.rootPassword != nil { return nil }
            record.rootPassword = hash
            try tx.put(record, kind: Kind.account, scope: Kind.global, id: account)
            return password
        }
    }
}
