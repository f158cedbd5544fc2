import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// IAM (Query, 2010-05-08): users, access keys, roles and inline policies. A global service:
/// every region answers it.
package struct IAMService: ServiceHandler {
    package let model = ServiceModel.iam
    package init() {}

    /// The resource each action names, as the Service Authorization Reference lists IAM's
    /// resource types: a policy, a group, a role or a user (ARNs without their paths, which
    /// only a stored record knows: ``storedResource(_:in:)`` adds them), `*` for the simulator's custom policies and ListPolicies.
    package func resource(for call: OperationCall) -> String? {
        let account = call.account
        let name = call.operation.name
        switch name {
        case "SimulatePrincipalPolicy": return call.string(.policySourceArn)
        case "SimulateCustomPolicy", "ListPolicies": return "*"
        case "CreatePolicy":
            let path = call.string(.path) ?? "/"
            return call.partition.arn("iam", account: account, "policy\(path)\(call.string(.policyName) ?? "")")
        case "GetPolicy", "DeletePolicy", "CreatePolicyVersion", "GetPolicyVersion", "DeletePolicyVersion",
            "ListPolicyVersions", "SetDefaultPolicyVersion":
            return call.string(.policyArn)
        case "ListGroupsForUser":
            return call.string(.userName).map { call.partition.arn("iam", account: account, "user/\($0)") }
        case "ListGroups": return call.partition.arn("iam", account: account, "group/")
        default: break
        }
        if name.contains("Group"), let group = call.string(.groupName) {
            return call.partition.arn("iam", account: account, "group/\(group)")
        }
        if name.contains("Role") {
            return call.string(.roleName).map { call.partition.arn("iam", account: account, "role/\($0)") }
                ?? call.partition.arn("iam", account: account, "role/")
        }
        if let user = call.string(.userName) { return call.partition.arn("iam", account: account, "user/\(user)") }
        if name == "ListUsers" { return call.partition.arn("iam", account: account, "user/") }
        return call.principal.kind == .iamUser
            ? call.principal.arn : call.partition.arn("iam", account: account, "root")
    }

    /// A user's, role's or group's ARN with the path it was created with
    /// (`arn:aws:iam::…:user/division/name`), so policies that name paths match as on AWS.
    /// The ARN keeps the partition `arn` names.
    package func storedResource(_ arn: String, in tx: any StateReader) throws -> String {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "iam" else { return arn }
        let account = String(parts[4])
        let path = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        guard path.count == 2, !path[1].isEmpty else { return arn }
        let name = String(path[1])
        let stored: String? =
            switch path[0] {
            case "user": try tx.get(UserRecord.self, kind: Kind.user, scope: account, id: name)?.arn
            case "role": try tx.get(RoleRecord.self, kind: Kind.role, scope: account, id: name)?.arn
            case "group": try tx.get(GroupRecord.self, kind: Kind.group, scope: account, id: name)?.arn
            default: nil
            }
        // Stored in the partition it was made in; named here in the caller's.
        return stored.flatMap(Partition.afterPartition).map { "arn:\(parts[1]):\($0)" } ?? arn
    }

    package func stage(_ call: OperationCall) -> (any Sendable)? { LoginProfileOperations.stage(call) }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        switch call.operation.name {
        case "CreateUser": return try createUser(call, tx)
        case "GetUser": return try getUser(call, tx)
        case "ListUsers": return try listUsers(call, tx)
        case "DeleteUser": return try deleteUser(call, tx)
        case "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey":
            return try AccessKeyOperations().handle(call, userName: try callerUserName(call), in: tx)
        case "CreateRole": return try createRole(call, tx)
        case "GetRole": return try getRole(call, tx)
        case "ListRoles": return try listRoles(call, tx)
        case "DeleteRole": return try deleteRole(call, tx)
        case "UpdateAssumeRolePolicy": return try updateAssumeRolePolicy(call, tx)
        case "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy":
            return try InlinePolicyOperations(owner: .user).handle(call, in: tx)
        case "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy":
            return try InlinePolicyOperations(owner: .role).handle(call, in: tx)
        case "CreateLoginProfile", "GetLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "ChangePassword":
            return try LoginProfileOperations().handle(call, in: tx)
        case "PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy":
            return try InlinePolicyOperations(owner: .group).handle(call, in: tx)
        case "CreateGroup", "GetGroup", "ListGroups", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup",
            "ListGroupsForUser", "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
            "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary":
            return try GroupOperations().handle(call, in: tx)
        case "CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy", "CreatePolicyVersion", "GetPolicyVersion",
            "DeletePolicyVersion", "ListPolicyVersions", "SetDefaultPolicyVersion", "AttachUserPolicy",
            "DetachUserPolicy", "ListAttachedUserPolicies", "AttachRolePolicy", "DetachRolePolicy",
            "ListAttachedRolePolicies", "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies":
            return try ManagedPolicyOperations().handle(call, in: tx)
        case "TagUser", "UntagUser", "ListUserTags", "TagRole", "UntagRole", "ListRoleTags":
            return try PrincipalTagOperations().handle(call, in: tx)
        case "SimulatePrincipalPolicy", "SimulateCustomPolicy":
            return try SimulatorOperations().handle(call, in: tx)
        default: throw AWSError.invalidAction(call.operation.name)
        }
    }

    /// `UserName` if given; else the caller's own user (root acts on the root keys).
    func callerUserName(_ call: OperationCall) throws -> String? {
        if let name = call.string(.userName) { return name }
        switch call.principal.kind {
        case .iamUser: return call.principal.userName
        case .root: return nil
        default:
            throw AWSError.validation("Must specify userName when calling with non-User credentials")
        }
    }

    static func userValue(_ user: UserRecord) -> ShapeValue {
        .object([
            "Path": .string(user.path), "UserName": .string(user.userName), "UserId": .string(user.userId),
            "Arn": .string(user.arn), "CreateDate": .timestamp(user.createDate),
        ])
    }

    static func roleValue(_ role: RoleRecord) -> ShapeValue {
        .object([
            "Path": .string(role.path), "RoleName": .string(role.roleName), "RoleId": .string(role.roleId),
            "Arn": .string(role.arn), "CreateDate": .timestamp(role.createDate),
            "AssumeRolePolicyDocument": .string(Self.urlEncode(role.assumeRolePolicyDocument)),
            "Description": role.description.map(ShapeValue.string),
            "MaxSessionDuration": .integer(Int64(role.maxSessionDuration)),
        ])
    }

    /// IAM returns policy documents URL-encoded (the SDKs decode them).
    static func urlEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func noSuchUser(_ call: OperationCall, _ name: String) -> AWSError {
        call.error(.noSuchEntityException, "The user with name \(name) cannot be found.")
    }

    /// A user or role with managed policies attached cannot be deleted.
    static func refuseAttached(
        _ owner: AttachmentRecord.Owner, _ name: String, _ call: OperationCall, _ tx: any StateReader
    )
        throws
    {
        if try tx.list(AttachmentRecord.self, kind: Kind.attachment, scope: call.account).contains(where: {
            $0.owner == owner && $0.ownerName == name
        }) {
            throw call.error(.deleteConflictException, "Cannot delete entity, must detach all policies first.")
        }
    }

    /// CreateUser's and CreateRole's `PermissionsBoundary`, checked and stored.
    static func storeBoundary(_ call: OperationCall, _ id: String, _ tx: any StateWriter) throws {
        guard let arn = call.string(.permissionsBoundary) else { return }
        _ = try ManagedPolicyOperations.resolve(arn, call, tx, attaching: true)
        try tx.put(BoundaryRecord(policyArn: arn), kind: Kind.boundary, scope: call.account, id: id)
    }

    /// A user's or role's answer with its `PermissionsBoundary` and `Tags`, where it has them.
    static func withIdentityFields(_ value: ShapeValue, id: String, _ call: OperationCall, _ tx: any StateReader)
        throws -> ShapeValue
    {
        try value.adding("PermissionsBoundary", boundaryValue(id, call, tx))
            .adding("Tags", PrincipalTagOperations.value(id, call, tx))
    }

    /// The `PermissionsBoundary` element of a user or role, when it has one.
    static func boundaryValue(_ id: String, _ call: OperationCall, _ tx: any StateReader) throws -> ShapeValue? {
        try tx.get(BoundaryRecord.self, kind: Kind.boundary, scope: call.account, id: id).map {
            .object([
                "PermissionsBoundaryType": .string("PermissionsBoundaryPolicy"),
                "PermissionsBoundaryArn": .string($0.policyArn),
            ])
        }
    }

    /// Throws NoSuchEntity unless the user, role or group exists.
    static func requireOwner(
        _ owner: AttachmentRecord.Owner, _ name: String, _ call: OperationCall, _ tx: any StateReader
    )
        throws
    {
        switch owner {
        case .user:
            guard try tx.contains(kind: Kind.user, scope: call.account, id: name) else { throw noSuchUser(call, name) }
        case .role:
            guard try tx.contains(kind: Kind.role, scope: call.account, id: name) else { throw noSuchRole(call, name) }
        case .group: _ = try GroupOperations.group(name, call, tx)
        }
    }

    static func noSuchRole(_ call: OperationCall, _ name: String) -> AWSError {
        call.error(.noSuchEntityException, "The role with name \(name) cannot be found.")
    }

    private func createUser(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.userName)
        let path = call.string(.path) ?? "/"
        let user = UserRecord(
            userName: name, userId: Identifiers.uniqueId("AIDA"), path: path,
            arn: call.partition.arn("iam", account: call.account, "user\(path)\(name)"), createDate: call.now)
        if try tx.get(UserRecord.self, kind: Kind.user, scope: call.account, id: name) != nil {
            throw call.error(.entityAlreadyExistsException, "User with name \(name) already exists.")
        }
        try tx.put(user, kind: Kind.user, scope: call.account, id: name)
        try Self.storeBoundary(call, "user/\(name)", tx)
        try PrincipalTagOperations.add(call, id: "user/\(name)", tx)
        return .object([
            "User": try Self.withIdentityFields(Self.userValue(user), id: "user/\(name)", call, tx)
        ])
    }

    private func getUser(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        guard let name = try callerUserName(call) else {
            let root = ShapeValue.object([
                "Path": .string("/"), "UserName": nil, "UserId": .string(call.account),
                "Arn": .string(call.partition.arn("iam", account: call.account, "root")),
                "CreateDate": .timestamp(call.now),
            ])
            return .object(["User": root])
        }
        let user = try tx.get(UserRecord.self, kind: Kind.user, scope: call.account, id: name)
        guard let user else { throw Self.noSuchUser(call, name) }
        return .object([
            "User": try Self.withIdentityFields(Self.userValue(user), id: "user/\(name)", call, tx)
        ])
    }

    private func listUsers(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let users = try tx.list(UserRecord.self, kind: Kind.user, scope: call.account)
        let prefix = call.string(.pathPrefix) ?? "/"
        let page = Page(call, users.filter { $0.path.hasPrefix(prefix) }, key: \.userName)
        return page.value("Users", Self.userValue)
    }

    private func deleteUser(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.userName)
        guard try tx.get(UserRecord.self, kind: Kind.user, scope: call.account, id: name) != nil else {
            throw Self.noSuchUser(call, name)
        }
        let keys = try tx.list(AccessKeyRecord.self, kind: Kind.accessKey, scope: Kind.global)
            .filter { $0.accountId == call.account && $0.userName == name }
        let policies = try tx.list(InlinePolicyRecord.self, kind: Kind.userPolicy, scope: call.account)
            .filter { $0.owner == name }
        let profile = try tx.contains(kind: Kind.loginProfile, scope: call.account, id: name)
        if profile || !keys.isEmpty || !policies.isEmpty {
            let first = profile ? "login profile" : keys.isEmpty ? "policies" : "access keys"
            throw call.error(.deleteConflictException, "Cannot delete entity, must delete \(first) first.")
        }
        try Self.refuseAttached(.user, name, call, tx)
        if try !IdentityStore.groups(of: name, account: call.account, in: tx).isEmpty {
            throw call.error(.deleteConflictException, "Cannot delete entity, must remove user from all groups first.")
        }
        _ = try tx.delete(kind: Kind.boundary, scope: call.account, id: "user/\(name)")
        _ = try tx.delete(kind: Kind.tags, scope: call.account, id: "user/\(name)")
        try tx.delete(kind: Kind.user, scope: call.account, id: name)
        return nil
    }

    private func createRole(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.roleName)
        let document = try call.required(.assumeRolePolicyDocument)
        do {
            _ = try PolicyDocument.parse(document, use: .trust)
        } catch {
            throw call.error(.malformedPolicyDocumentException, error.message)
        }
        let path = call.string(.path) ?? "/"
        let role = RoleRecord(
            roleName: name, roleId: Identifiers.uniqueId("AROA"), path: path,
            arn: call.partition.arn("iam", account: call.account, "role\(path)\(name)"),
            assumeRolePolicyDocument: document,
            description: call.string(.description), maxSessionDuration: call.int(.maxSessionDuration) ?? 3600,
            createDate: call.now)
        if try tx.get(RoleRecord.self, kind: Kind.role, scope: call.account, id: name) != nil {
            throw call.error(.entityAlreadyExistsException, "Role with name \(name) already exists.")
        }
        try tx.put(role, kind: Kind.role, scope: call.account, id: name)
        try Self.storeBoundary(call, "role/\(name)", tx)
        try PrincipalTagOperations.add(call, id: "role/\(name)", tx)
        return .object([
            "Role": try Self.withIdentityFields(Self.roleValue(role), id: "role/\(name)", call, tx)
        ])
    }

    private func getRole(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.roleName)
        let role = try tx.get(RoleRecord.self, kind: Kind.role, scope: call.account, id: name)
        guard let role else { throw Self.noSuchRole(call, name) }
        return .object([
            "Role": try Self.withIdentityFields(Self.roleValue(role), id: "role/\(name)", call, tx)
        ])
    }

    private func listRoles(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let roles = try tx.list(RoleRecord.self, kind: Kind.role, scope: call.account)
        let prefix = call.string(.pathPrefix) ?? "/"
        return Page(call, roles.filter { $0.path.hasPrefix(prefix) }, key: \.roleName).value("Roles", Self.roleValue)
    }

    private func deleteRole(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.roleName)
        guard try tx.get(RoleRecord.self, kind: Kind.role, scope: call.account, id: name) != nil else {
            throw Self.noSuchRole(call, name)
        }
        if try tx.list(InlinePolicyRecord.self, kind: Kind.rolePolicy, scope: call.account).contains(where: {
            $0.owner == name
        }) {
            throw call.error(.deleteConflictException, "Cannot delete entity, must delete policies first.")
        }
        try Self.refuseAttached(.role, name, call, tx)
        _ = try tx.delete(kind: Kind.boundary, scope: call.account, id: "role/\(name)")
        _ = try tx.delete(kind: Kind.tags, scope: call.account, id: "role/\(name)")
        try tx.delete(kind: Kind.role, scope: call.account, id: name)
        return nil
    }

    private func updateAssumeRolePolicy(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.roleName)
        let document = try call.required(.policyDocument)
        do {
            _ = try PolicyDocument.parse(document, use: .trust)
        } catch {
            throw call.error(.malformedPolicyDocumentException, error.message)
        }
        guard var role = try tx.get(RoleRecord.self, kind: Kind.role, scope: call.account, id: name) else {
            throw Self.noSuchRole(call, name)
        }
        role.assumeRolePolicyDocument = document
        try tx.put(role, kind: Kind.role, scope: call.account, id: name)
        return nil
    }
}

/// IAM's `Marker` / `MaxItems` pagination over a sorted list.
extension ShapeValue {
    /// This structure with `member` set, when `value` is present.
    func adding(_ member: String, _ value: ShapeValue?) -> ShapeValue {
        guard let value, case .structure(var fields) = self else { return self }
        fields[member] = value
        return .structure(fields)
    }
}

struct Page<T> {
    var items: [T]
    var marker: String?

    init(_ call: OperationCall, _ all: [T], key: KeyPath<T, String>) {
        let sorted = all.sorted { $0[keyPath: key] < $1[keyPath: key] }
        let start = call.string(.marker).map { marker in sorted.filter { $0[keyPath: key] > marker } } ?? sorted
        let limit = max(1, min(call.int(.maxItems) ?? 100, 1000))
        items = Array(start.prefix(limit))
        marker = start.count > limit ? items.last.map { $0[keyPath: key] } : nil
    }

    func value(_ member: String, _ render: (T) -> ShapeValue) -> ShapeValue {
        .object([
            member: .list(items.map(render)), "IsTruncated": .boolean(marker != nil),
            "Marker": marker.map(ShapeValue.string),
        ])
    }
}
