import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Groups, their members, and users' and roles' permissions boundaries.
struct GroupOperations {
    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let account = call.account
        switch call.operation.name {
        case "CreateGroup":
            let name = try call.required(.groupName)
            if try tx.contains(kind: Kind.group, scope: account, id: name) {
                throw call.error(.entityAlreadyExistsException, "Group with name \(name) already exists.")
            }
            let path = call.string(.path) ?? "/"
            let group = GroupRecord(
                groupName: name, groupId: Identifiers.uniqueId("AGPA"), path: path,
                arn: call.partition.arn("iam", account: account, "group\(path)\(name)"), createDate: call.now)
            try tx.put(group, kind: Kind.group, scope: account, id: name)
            return .object(["Group": Self.value(group)])
        case "GetGroup":
            let group = try Self.group(try call.required(.groupName), call, tx)
            let users = try members(of: group.groupName, account, tx).compactMap {
                try tx.get(UserRecord.self, kind: Kind.user, scope: account, id: $0)
            }
            return .object([
                "Group": Self.value(group), "Users": .list(users.map(IAMService.userValue)),
                "IsTruncated": .boolean(false),
            ])
        case "ListGroups":
            let prefix = call.string(.pathPrefix) ?? "/"
            let groups = try tx.list(GroupRecord.self, kind: Kind.group, scope: account)
                .filter { $0.path.hasPrefix(prefix) }
            return Page(call, groups, key: \.groupName).value("Groups", Self.value)
        case "DeleteGroup":
            let name = try call.required(.groupName)
            _ = try Self.group(name, call, tx)
            if try !members(of: name, account, tx).isEmpty {
                throw call.error(.deleteConflictException, "Cannot delete entity, must remove users from group first.")
            }
            if try tx.list(InlinePolicyRecord.self, kind: Kind.groupPolicy, scope: account).contains(where: {
                $0.owner == name
            }) {
                throw call.error(.deleteConflictException, "Cannot delete entity, must delete policies first.")
            }
            if try tx.list(AttachmentRecord.self, kind: Kind.attachment, scope: account).contains(where: {
                $0.owner == .group && $0.ownerName == name
            }) {
                throw call.error(.deleteConflictException, "Cannot delete entity, must detach all policies first.")
            }
            try tx.delete(kind: Kind.group, scope: account, id: name)
            return nil
        case "AddUserToGroup", "RemoveUserFromGroup":
            let groupName = try call.required(.groupName)
            let userName = try call.required(.userName)
            _ = try Self.group(groupName, call, tx)
            try IAMService.requireOwner(.user, userName, call, tx)
            let id = "\(groupName)/\(userName)"
            if call.operation.name == "AddUserToGroup" {
                try tx.put(
                    GroupMemberRecord(groupName: groupName, userName: userName), kind: Kind.groupMember,
                    scope: account, id: id)
            } else if try !tx.delete(kind: Kind.groupMember, scope: account, id: id) {
                throw call.error(
                    .noSuchEntityException, "The user with name \(userName) is not in group \(groupName).")
            }
            return nil
        case "ListGroupsForUser":
            let userName = try call.required(.userName)
            try IAMService.requireOwner(.user, userName, call, tx)
            let groups = try IdentityStore.groups(of: userName, account: account, in: tx).compactMap {
                try tx.get(GroupRecord.self, kind: Kind.group, scope: account, id: $0)
            }
            return .object(["Groups": .list(groups.map(Self.value)), "IsTruncated": .boolean(false)])
        default:
            return try boundary(call, tx)
        }
    }

    /// Put/DeleteUserPermissionsBoundary, Put/DeleteRolePermissionsBoundary.
    private func boundary(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let user = call.operation.name.contains("User")
        let name = try call.required(user ? .userName : .roleName)
        try IAMService.requireOwner(user ? .user : .role, name, call, tx)
        let id = "\(user ? "user" : "role")/\(name)"
        if call.operation.name.hasPrefix("Put") {
            let arn = try call.required(.permissionsBoundary)
            _ = try ManagedPolicyOperations.resolve(arn, call, tx, attaching: true)
            try tx.put(BoundaryRecord(policyArn: arn), kind: Kind.boundary, scope: call.account, id: id)
        } else {
            _ = try tx.delete(kind: Kind.boundary, scope: call.account, id: id)
        }
        return nil
    }

    private func members(of group: String, _ account: String, _ tx: any StateReader) throws -> [String] {
        try tx.list(GroupMemberRecord.self, kind: Kind.groupMember, scope: account)
            .filter { $0.groupName == group }.map(\.userName)
    }

    static func group(_ name: String, _ call: OperationCall, _ tx: any StateReader) throws -> GroupRecord {
        guard let group = try tx.get(GroupRecord.self, kind: Kind.group, scope: call.account, id: name) else {
            throw call.error(.noSuchEntityException, "The group with name \(name) cannot be found.")
        }
        return group
    }

    static func value(_ group: GroupRecord) -> ShapeValue {
        .object([
            "Path": .string(group.path), "GroupName": .string(group.groupName), "GroupId": .string(group.groupId),
            "Arn": .string(group.arn), "CreateDate": .timestamp(group.createDate),
        ])
    }
}
