import AWSModels
import AWSWire
import Persistence
import ServiceContract

/// CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey; a nil user is the root.
struct AccessKeyOperations {
    /// AWS allows two access keys per user.
    static let perUserLimit = 2

    func handle(_ call: OperationCall, userName: String?, in tx: any StateWriter) throws -> ShapeValue? {
        let account = call.account
        if let userName, try tx.get(UserRecord.self, kind: Kind.user, scope: account, id: userName) == nil {
            throw IAMService.noSuchUser(call, userName)
        }
        let keys = try tx.list(AccessKeyRecord.self, kind: Kind.accessKey, scope: Kind.global)
            .filter { $0.accountId == account && $0.userName == userName }
        switch call.operation.name {
        case "CreateAccessKey":
            guard keys.count < Self.perUserLimit else {
                throw call.error(
                    .limitExceededException, "Cannot exceed quota for AccessKeysPerUser: \(Self.perUserLimit)")
            }
            let key = AccessKeyRecord(
                accessKeyId: Identifiers.make("AKIA"), secretAccessKey: Identifiers.secret(), accountId: account,
                userName: userName, status: "Active", createDate: call.now)
            try tx.put(key, kind: Kind.accessKey, scope: Kind.global, id: key.accessKeyId)
            return .object([
                "AccessKey": .object([
                    "UserName": .string(userName ?? "root"), "AccessKeyId": .string(key.accessKeyId),
                    "Status": .string(key.status), "SecretAccessKey": .string(key.secretAccessKey),
                    "CreateDate": .timestamp(key.createDate),
                ])
            ])
        case "ListAccessKeys":
            let metadata = keys.map { key in
                ShapeValue.object([
                    "UserName": userName.map(ShapeValue.string), "AccessKeyId": .string(key.accessKeyId),
                    "Status": .string(key.status), "CreateDate": .timestamp(key.createDate),
                ])
            }
            return .object(["AccessKeyMetadata": .list(metadata), "IsTruncated": .boolean(false)])
        case "UpdateAccessKey":
            let id = try call.required(.accessKeyId)
            guard var key = keys.first(where: { $0.accessKeyId == id }) else { throw noSuchKey(call, id) }
            key.status = try call.required(.status)
            try tx.put(key, kind: Kind.accessKey, scope: Kind.global, id: id)
            return nil
        default:
            let id = try call.required(.accessKeyId)
            guard keys.contains(where: { $0.accessKeyId == id }) else { throw noSuchKey(call, id) }
            try tx.delete(kind: Kind.accessKey, scope: Kind.global, id: id)
            return nil
        }
    }

    private func noSuchKey(_ call: OperationCall, _ id: String) -> AWSError {
        call.error(.noSuchEntityException, "The Access Key with id \(id) cannot be found.")
    }
}

/// Put/Get/List/Delete of inline policies on users or roles.
struct InlinePolicyOperations {
    enum Owner {
        case user, role, group
    }

    let owner: Owner

    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let account = call.account
        let ownerMember: MemberName = owner == .user ? .userName : owner == .role ? .roleName : .groupName
        let ownerName = try call.required(ownerMember)
        let kind = owner == .user ? Kind.userPolicy : owner == .role ? Kind.rolePolicy : Kind.groupPolicy
        let operation = call.operation.name
        if operation.hasPrefix("Put") {
            let document = try call.required(.policyDocument)
            do {
                _ = try PolicyDocument.parse(document, use: .identity)
            } catch {
                throw call.error(.malformedPolicyDocumentException, error.message)
            }
        }
        try IAMService.requireOwner(
            owner == .user ? .user : owner == .role ? .role : .group, ownerName, call, tx)
        if operation.hasPrefix("List") {
            let names = try tx.list(InlinePolicyRecord.self, kind: kind, scope: account)
                .filter { $0.owner == ownerName }.map { ShapeValue.string($0.policyName) }
            return .object(["PolicyNames": .list(names), "IsTruncated": .boolean(false)])
        }
        let policyName = try call.required(.policyName)
        let id = "\(ownerName)/\(policyName)"
        switch operation.prefix(3) {
        case "Put":
            let record = InlinePolicyRecord(
                owner: ownerName, policyName: policyName, document: try call.required(.policyDocument))
            try tx.put(record, kind: kind, scope: account, id: id)
            return nil
        case "Get":
            guard let record = try tx.get(InlinePolicyRecord.self, kind: kind, scope: account, id: id) else {
                throw noSuchPolicy(call, policyName, ownerName)
            }
            return .object([
                ownerMember.rawValue: .string(ownerName), "PolicyName": .string(policyName),
                "PolicyDocument": .string(IAMService.urlEncode(record.document)),
            ])
        default:
            guard try tx.delete(kind: kind, scope: account, id: id) else {
                throw noSuchPolicy(call, policyName, ownerName)
            }
            return nil
        }
    }

    private func noSuchPolicy(_ call: OperationCall, _ policy: String, _ ownerName: String) -> AWSError {
        call.error(
            .noSuchEntityException,
            "The \(owner == .user ? "user" : owner == .role ? "role" : "group") policy with name \(policy) cannot be found."
        )
    }
}
