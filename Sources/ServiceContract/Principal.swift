import AWSModels
import Foundation

/// Who is calling: everything CloudTrail's `userIdentity` and policy evaluation need.
package struct Principal: Sendable, Codable, Equatable {
    package enum Kind: String, Sendable, Codable {
        case root = "Root"
        case iamUser = "IAMUser"
        case assumedRole = "AssumedRole"
        case federatedUser = "FederatedUser"
        case awsService = "AWSService"
        /// An unsigned request (an SNS SubscribeURL or UnsubscribeURL followed by a receiver).
        case anonymous = "AWSAccount"
    }

    /// The identity that issued a temporary session (the role, or the user).
    package struct SessionIssuer: Sendable, Codable, Equatable {
        package var type: String
        package var principalId: String
        package var arn: String
        package var accountId: String
        package var userName: String

        package init(type: String, principalId: String, arn: String, accountId: String, userName: String) {
            self.type = type
            self.principalId = principalId
            self.arn = arn
            self.accountId = accountId
            self.userName = userName
        }
    }

    package var kind: Kind
    /// `AIDA…` for users, `AROA…:session` for roles, `account:name` for federated users, the
    /// account id for root.
    package var principalId: String
    package var arn: String
    package var accountId: String
    package var accessKeyId: String?
    package var userName: String?
    package var sessionIssuer: SessionIssuer?
    package var sessionCreationDate: Date?
    /// The service's name (`cloudtrail.amazonaws.com`) for `AWSService` principals.
    package var invokedBy: String?
    /// Whose policies apply: a user name, a role name, or neither (root, services).
    package var policyUser: String?
    package var policyRole: String?
    /// A session policy (GetFederationToken, AssumeRole `Policy`) that further limits the session.
    package var sessionPolicy: String?
    /// True for the temporary credentials of a console session (CloudTrail's
    /// `sessionCredentialFromConsole`); nil otherwise.
    package var consoleSession: Bool?

    package init(
        kind: Kind, principalId: String, arn: String, accountId: String, accessKeyId: String? = nil,
        userName: String? = nil, sessionIssuer: SessionIssuer? = nil, sessionCreationDate: Date? = nil,
        invokedBy: String? = nil, policyUser: String? = nil, policyRole: String? = nil, sessionPolicy: String? = nil
    ) {
        self.kind = kind
        self.principalId = principalId
        self.arn = arn
        self.accountId = accountId
        self.accessKeyId = accessKeyId
        self.userName = userName
        self.sessionIssuer = sessionIssuer
        self.sessionCreationDate = sessionCreationDate
        self.invokedBy = invokedBy
        self.policyUser = policyUser
        self.policyRole = policyRole
        self.sessionPolicy = sessionPolicy
    }

    package static func root(account: String, accessKeyId: String? = nil, partition: Partition = .aws) -> Principal {
        Principal(
            kind: .root, principalId: account, arn: partition.arn("iam", account: account, "root"), accountId: account,
            accessKeyId: accessKeyId)
    }

    /// A service acting on its own or a customer's behalf (`cloudtrail.amazonaws.com`).
    package static func service(_ name: String, account: String) -> Principal {
        Principal(kind: .awsService, principalId: name, arn: name, accountId: account, invokedBy: name)
    }

    /// An unsigned caller acting on a resource of `account` (the account records the event).
    package static func anonymous(account: String) -> Principal {
        Principal(kind: .anonymous, principalId: "", arn: "", accountId: account)
    }

    /// The same identity acting in `partition`: its ARNs name the partition of the call's
    /// region (an identity made in one partition keeps its name and id in another).
    package func acting(in partition: Partition) -> Principal {
        guard Partition(arn: arn).map({ $0 != partition }) ?? false else { return self }
        var moved = self
        moved.arn = Self.move(arn, to: partition)
        moved.sessionIssuer?.arn = Self.move(sessionIssuer?.arn ?? "", to: partition)
        return moved
    }

    private static func move(_ arn: String, to partition: Partition) -> String {
        Partition.afterPartition(arn).map { "arn:\(partition.rawValue):\($0)" } ?? arn
    }

    /// True for temporary (STS) credentials.
    package var isSession: Bool { accessKeyId?.hasPrefix("ASIA") ?? false }
}
