import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile and
/// ChangePassword: an IAM user's console password, kept only as its scrypt hash.
struct LoginProfileOperations {
    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        if call.operation.name == "ChangePassword" { return try changePassword(call, tx) }
        guard let userName = call.string(.userName) ?? call.principal.userName else {
            throw AWSError.validation("Must specify userName when calling with non-User credentials")
        }
        guard try tx.get(UserRecord.self, kind: Kind.user, scope: call.account, id: userName) != nil else {
            throw IAMService.noSuchUser(call, userName)
        }
        let existing = try tx.get(LoginProfileRecord.self, kind: Kind.loginProfile, scope: call.account, id: userName)
        switch call.operation.name {
        case "CreateLoginProfile":
            guard existing == nil else {
                throw call.error(.entityAlreadyExistsException, "Login Profile for user \(userName) already exists.")
            }
            let password = try call.required(.password)
            let profile = LoginProfileRecord(
                userName: userName, createDate: call.now,
                passwordResetRequired: call[.passwordResetRequired]?.boolValue ?? false,
                password: try Self.hash(password, call, userName: userName, staged: call.staged))
            try tx.put(profile, kind: Kind.loginProfile, scope: call.account, id: userName)
            return .object(["LoginProfile": profile.value])
        case "GetLoginProfile":
            guard let existing else { throw Self.noSuchProfile(call, userName) }
            return .object(["LoginProfile": existing.value])
        case "UpdateLoginProfile":
            guard var profile = existing else { throw Self.noSuchProfile(call, userName) }
            if let password = call.string(.password) {
                profile.password = try Self.hash(password, call, userName: userName, staged: call.staged)
            }
            if let reset = call[.passwordResetRequired]?.boolValue { profile.passwordResetRequired = reset }
            try tx.put(profile, kind: Kind.loginProfile, scope: call.account, id: userName)
            return nil
        default:
            guard existing != nil else { throw Self.noSuchProfile(call, userName) }
            try tx.delete(kind: Kind.loginProfile, scope: call.account, id: userName)
            return nil
        }
    }

    /// An IAM user changes their own password, proving the old one.
    private func changePassword(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        guard call.principal.kind == .iamUser, let userName = call.principal.userName else {
            throw call.error(.invalidUserTypeException, "Only IAM users can change their own password.")
        }
        guard
            var profile = try tx.get(
                LoginProfileRecord.self, kind: Kind.loginProfile, scope: call.account, id: userName)
        else { throw Self.noSuchProfile(call, userName) }
        guard profile.password.matches(try call.required(.oldPassword)) else {
            throw AWSError.accessDenied("The old password is incorrect.")
        }
        profile.password = try Self.hash(
            try call.required(.newPassword), call, userName: userName, staged: call.staged)
        profile.passwordResetRequired = false
        try tx.put(profile, kind: Kind.loginProfile, scope: call.account, id: userName)
        return nil
    }

    /// The new password's hash: the one ``stage(_:)`` made outside the transaction.
    static func hash(_ password: String, _ call: OperationCall, userName: String, staged: (any Sendable)?) throws
        -> PasswordHash
    {
        if let reason = PasswordRules.violation(password, userName: userName, account: call.account) {
            var error = call.error(
                .passwordPolicyViolationException, "Password does not conform to the account password policy.")
            error.diagnostic = reason
            throw error
        }
        if let staged = staged as? PasswordHash { return staged }
        return try PasswordHash(password: password)
    }

    /// Hashes a new password before the writer's transaction (scrypt is slow on purpose).
    static func stage(_ call: OperationCall) -> (any Sendable)? {
        let password: String?
        switch call.operation.name {
        case "CreateLoginProfile", "UpdateLoginProfile": password = call.string(.password)
        case "ChangePassword": password = call.string(.newPassword)
        default: password = nil
        }
        return password.flatMap { try? PasswordHash(password: $0) }
    }

    static func noSuchProfile(_ call: OperationCall, _ userName: String) -> AWSError {
        call.error(.noSuchEntityException, "Login Profile for User \(userName) cannot be found.")
    }
}

/// An IAM user's console password (`iam.loginprofile`, one per user).
package struct LoginProfileRecord: CachedDocument, Equatable {
    package var userName: String
    package var createDate: Date
    package var passwordResetRequired: Bool
    package var password: PasswordHash

    var value: ShapeValue {
        .object([
            "UserName": .string(userName), "CreateDate": .timestamp(createDate),
            "PasswordResetRequired": .boolean(passwordResetRequired),
        ])
    }
}
