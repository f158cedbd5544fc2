import Foundation
import ServiceContract

/// An AWS account this server hosts.
public struct AccountRecord: Sendable, Codable, Equatable {
    public var id: String
    public var createDate: Date
}

/// A long-term access key: an account's root key or an IAM user's.
public struct AccessKeyRecord: Sendable, Codable, Equatable {
    public var accessKeyId: String
    @Sealed public var secretAccessKey: String
    public var accountId: String
    /// nil for the account's root key.
    public var userName: String?
    public var status: String
    public var createDate: Date
}

public struct UserRecord: Sendable, Codable, Equatable {
    public var userName: String
    public var userId: String
    public var path: String
    public var arn: String
    public var createDate: Date
}

public struct RoleRecord: Sendable, Codable, Equatable {
    public var roleName: String
    public var roleId: String
    public var path: String
    public var arn: String
    public var assumeRolePolicyDocument: String
    public var description: String?
    public var maxSessionDuration: Int
    public var createDate: Date
}

/// An inline policy attached to a user or role.
public struct InlinePolicyRecord: Sendable, Codable, Equatable {
    public var owner: String
    public var policyName: String
    public var document: String
}

/// Temporary credentials issued by STS, with the identity they act as.
public struct SessionRecord: Sendable, Codable, Equatable {
    public var accessKeyId: String
    @Sealed public var secretAccessKey: String
    @Sealed public var sessionToken: String
    public var expiration: Date
    public var principal: Principal
    /// The unique id (`AIDA…`, `AROA…`) of the user or role whose policies the session uses:
    /// a user or role deleted and created again under the same name is another identity.
    public var issuerId: String?
}

/// Document kinds in the state store.
enum Kind {
    static let account = "iam.account"
    static let accessKey = "iam.accesskey"
    static let user = "iam.user"
    static let role = "iam.role"
    static let userPolicy = "iam.userpolicy"
    static let rolePolicy = "iam.rolepolicy"
    static let session = "sts.session"
    /// Scope for documents looked up across accounts (access keys, sessions, accounts).
    static let global = "-"
}
