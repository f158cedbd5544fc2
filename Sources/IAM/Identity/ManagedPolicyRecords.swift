import Foundation
import Persistence

/// A customer managed policy and its versions (at most five; one is the default).
package struct ManagedPolicyRecord: CachedDocument, Equatable {
    package var policyName: String
    package var policyId: String
    package var arn: String
    package var path: String
    package var description: String?
    package var createDate: Date
    package var updateDate: Date
    package var defaultVersionId: String
    package var versions: [PolicyVersionRecord]
    /// The number the next version takes (`v3` after v1 and v2, even when v1 was deleted).
    package var nextVersion: Int

    package var defaultDocument: String? {
        versions.first { $0.versionId == defaultVersionId }?.document
    }
}

package struct PolicyVersionRecord: Codable, Equatable, Sendable {
    package var versionId: String
    package var document: String
    package var createDate: Date
}

/// A managed policy attached to a user, role or group (`iam.attachment`, id `kind:name:arn`).
package struct AttachmentRecord: CachedDocument, Equatable {
    package enum Owner: String, Codable, Sendable {
        case user, role, group
    }

    package var owner: Owner
    package var ownerName: String
    package var policyArn: String

    static func id(_ owner: Owner, _ name: String, _ arn: String) -> String { "\(owner.rawValue):\(name):\(arn)" }
}

package struct GroupRecord: CachedDocument, Equatable {
    package var groupName: String
    package var groupId: String
    package var path: String
    package var arn: String
    package var createDate: Date
}

/// A user's membership of a group (`iam.groupmember`, id `group/user`).
package struct GroupMemberRecord: CachedDocument, Equatable {
    package var groupName: String
    package var userName: String
}

/// A user's or role's permissions boundary: the managed policy that caps what its identity
/// policies can allow (`iam.boundary`, id `user/NAME` or `role/NAME`).
package struct BoundaryRecord: CachedDocument, Equatable {
    package var policyArn: String
}
