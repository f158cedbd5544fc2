import Foundation
import Persistence
import ServiceContract

/// An AWS account this server hosts.
package struct AccountRecord: CachedDocument, Equatable {
    package var id: String
    package var createDate: Date
    /// The root user's console password (absent until one is set).
    package var rootPassword: PasswordHash?
}

/// A long-term access key: an account's root key or an IAM user's.
package struct AccessKeyRecord: CachedDocument, Equatable {
    package var accessKeyId: String
    @Sealed package var secretAccessKey: String
    package var accountId: String
    /// nil for the account's root key.
    package var userName: String?
    package var status: String
    package var createDate: Date
}

package struct UserRecord: CachedDocument, Equatable {
    package var userName: String
    package var userId: String
    package var path: String
    package var arn: String
    package var createDate: Date
}

package struct RoleRecord: CachedDocument, Equatable {
    package var roleName: String
    package var roleId: String
    package var path: String
    package var arn: String
    package var assumeRolePolicyDocument: String
    package var description: String?
    package var maxSessionDuration: Int
    package var createDate: Date
}

/// An inline policy attached to a user or role.
package struct InlinePolicyRecord: CachedDocument, Equatable {
    package var owner: String
    package var policyName: String
    package var document: String
}

/// Temporary credentials issued by STS, with the identity they act as.
package struct SessionRecord: CachedDocument, Equatable {
    package var accessKeyId: String
    @Sealed package var secretAccessKey: String
    @Sealed package var sessionToken: String
    package var expiration: Date
    package var principal: Principal
    /// The unique id (`AIDA…`, `AROA…`) of the user or role whose policies the session uses:
    /// a user or role deleted and created again under the same name is another identity.
    package var issuerId: String?
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
    static let loginProfile = "iam.loginprofile"
    static let policy = "iam.policy"
    static let attachment = "iam.attachment"
    static let group = "iam.group"
    static let groupMember = "iam.groupmember"
    static let groupPolicy = "iam.grouppolicy"
    static let boundary = "iam.boundary"
    static let tags = "iam.tags"
    /// Scope for documents looked up across accounts (access keys, sessions, accounts).
    static let global = "-"
}
