import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Customer managed policies and their versions, AWS managed policies (read-only), and their
/// attachments to users, roles and groups.
struct ManagedPolicyOperations {
    /// AWS keeps at most five versions of a managed policy.
    static let maxVersions = 5

    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        switch call.operation.name {
        case "CreatePolicy": return try create(call, tx)
        case "GetPolicy":
            let policy = try Self.resolve(try call.required(.policyArn), call, tx)
            return .object(["Policy": try Self.value(policy, call, tx, describe: true)])
        case "ListPolicies": return try list(call, tx)
        case "DeletePolicy": return try delete(call, tx)
        case "CreatePolicyVersion", "GetPolicyVersion", "DeletePolicyVersion", "ListPolicyVersions",
            "SetDefaultPolicyVersion":
            return try version(call, tx)
        default: return try attachment(call, tx)
        }
    }

    /// A managed policy as the operations see it: a customer's record or an AWS policy.
    enum Resolved {
        case customer(ManagedPolicyRecord)
        case aws(AWSManagedPolicies.Policy)

        var arn: String {
            switch self {
            case .customer(let record): record.arn
            case .aws(let policy): policy.arn
            }
        }
    }

    static func resolve(_ arn: String, _ call: OperationCall, _ tx: any StateReader, attaching: Bool = false) throws
        -> Resolved
    {
        if let policy = AWSManagedPolicies.named(arn: arn) { return .aws(policy) }
        if let name = customerName(arn, account: call.account),
            let record = try tx.get(ManagedPolicyRecord.self, kind: Kind.policy, scope: call.account, id: name),
            record.arn == arn
        {
            return .customer(record)
        }
        throw call.error(
            .noSuchEntityException,
            attaching ? "Policy \(arn) does not exist or is not attachable." : "Policy \(arn) was not found.")
    }

    /// `arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME` → NAME, for this account's policies.
    static func customerName(_ arn: String, account: String) -> String? {
        guard Partition.afterPartition(arn)?.hasPrefix("iam::\(account):policy/") ?? false else { return nil }
        return arn.split(separator: "/").last.map(String.init)
    }

    /// The default version's document of the policy `arn` names, nil when there is none.
    static func document(_ arn: String, account: String, in tx: any StateReader) throws -> String? {
        if let policy = AWSManagedPolicies.named(arn: arn) { return policy.document }
        guard let name = customerName(arn, account: account) else { return nil }
        return try tx.get(ManagedPolicyRecord.self, kind: Kind.policy, scope: account, id: name)?.defaultDocument
    }

    private static func value(_ policy: Resolved, _ call: OperationCall, _ tx: any StateReader, describe: Bool)
        throws -> ShapeValue
    {
        let attachments = try tx.list(AttachmentRecord.self, kind: Kind.attachment, scope: call.account)
            .filter { $0.policyArn == policy.arn }.count
        let boundaries = try tx.list(BoundaryRecord.self, kind: Kind.boundary, scope: call.account)
            .filter { $0.policyArn == policy.arn }.count
        var fields: ShapeFields = [
            "Arn": .string(policy.arn), "AttachmentCount": .integer(Int64(attachments)),
            "PermissionsBoundaryUsageCount": .integer(Int64(boundaries)), "IsAttachable": .boolean(true),
        ]
        switch policy {
        case .customer(let record):
            fields["PolicyName"] = .string(record.policyName)
            fields["PolicyId"] = .string(record.policyId)
            fields["Path"] = .string(record.path)
            fields["DefaultVersionId"] = .string(record.defaultVersionId)
            fields["CreateDate"] = .timestamp(record.createDate)
            fields["UpdateDate"] = .timestamp(record.updateDate)
            if describe, let description = record.description { fields["Description"] = .string(description) }
        case .aws(let aws):
            fields["PolicyName"] = .string(aws.name)
            fields["PolicyId"] = .string(aws.policyId)
            fields["Path"] = .string("/")
            fields["DefaultVersionId"] = .string(aws.versionId)
            fields["CreateDate"] = .timestamp(aws.createDate)
            fields["UpdateDate"] = .timestamp(aws.createDate)
            if describe { fields["Description"] = .string(aws.description) }
        }
        return .structure(fields)
    }

    private static func checkDocument(_ document: String, _ call: OperationCall) throws {
        do {
            _ = try PolicyDocument.parse(document, use: .identity)
        } catch {
            throw call.error(.malformedPolicyDocumentException, error.message)
        }
    }

    private func create(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = try call.required(.policyName)
        let document = try call.required(.policyDocument)
        try Self.checkDocument(document, call)
        if try tx.contains(kind: Kind.policy, scope: call.account, id: name) {
            throw call.error(
                .entityAlreadyExistsException,
                "A policy called \(name) already exists. Duplicate names are not allowed.")
        }
        let path = call.string(.path) ?? "/"
        let record = ManagedPolicyRecord(
            policyName: name, policyId: Identifiers.uniqueId("ANPA"),
            arn: call.partition.arn("iam", account: call.account, "policy\(path)\(name)"), path: path,
            description: call.string(.description),
            createDate: call.now, updateDate: call.now, defaultVersionId: "v1",
            versions: [PolicyVersionRecord(versionId: "v1", document: document, createDate: call.now)], nextVersion: 2)
        try tx.put(record, kind: Kind.policy, scope: call.account, id: name)
        return .object(["Policy": try Self.value(.customer(record), call, tx, describe: false)])
    }

    private func list(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let scope = call.string(.scope) ?? "All"
        var policies: [Resolved] = []
        if scope != "Local" { policies += AWSManagedPolicies.all(in: call.partition).map { .aws($0) } }
        if scope != "AWS" {
            policies += try tx.list(ManagedPolicyRecord.self, kind: Kind.policy, scope: call.account).map {
                .customer($0)
            }
        }
        let prefix = call.string(.pathPrefix) ?? "/"
        var values = try policies.map { try Self.value($0, call, tx, describe: false) }
        values = values.filter { value in
            (value[member: "Path"]?.stringValue ?? "/").hasPrefix(prefix)
                && (call[.onlyAttached]?.boolValue != true || (value[member: "AttachmentCount"]?.intValue ?? 0) > 0)
        }
        let page = Page(call, values, key: \.sortKey)
        return page.value("Policies") { $0 }
    }

    private func delete(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let arn = try call.required(.policyArn)
        guard case .customer(let record) = try Self.resolve(arn, call, tx) else {
            throw AWSError.accessDenied("AWS managed policies cannot be deleted.")
        }
        let attached = try tx.list(AttachmentRecord.self, kind: Kind.attachment, scope: call.account)
            .contains { $0.policyArn == arn }
        if attached {
            throw call.error(.deleteConflictException, "Cannot delete a policy attached to entities.")
        }
        if record.versions.count > 1 {
            throw call.error(
                .deleteConflictException,
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
            )
        }
        try tx.delete(kind: Kind.policy, scope: call.account, id: record.policyName)
        return nil
    }

    private func version(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let arn = try call.required(.policyArn)
        let resolved = try Self.resolve(arn, call, tx)
        guard case .customer(var record) = resolved else {
            guard case .aws(let aws) = resolved else { return nil }
            switch call.operation.name {
            case "GetPolicyVersion" where call.string(.versionId) == aws.versionId:
                return .object([
                    "PolicyVersion": Self.versionValue(
                        PolicyVersionRecord(
                            versionId: aws.versionId, document: aws.document, createDate: aws.createDate),
                        isDefault: true, document: true)
                ])
            case "ListPolicyVersions":
                return .object([
                    "Versions": .list([
                        Self.versionValue(
                            PolicyVersionRecord(
                                versionId: aws.versionId, document: aws.document, createDate: aws.createDate),
                            isDefault: true, document: false)
                    ]), "IsTruncated": .boolean(false),
                ])
            case "GetPolicyVersion":
                throw call.error(
                    .noSuchEntityException, "Policy \(arn) version \(call.string(.versionId) ?? "") does not exist.")
            default: throw AWSError.accessDenied("AWS managed policies cannot be changed.")
            }
        }
        switch call.operation.name {
        case "CreatePolicyVersion":
            let document = try call.required(.policyDocument)
            try Self.checkDocument(document, call)
            guard record.versions.count < Self.maxVersions else {
                throw call.error(
                    .limitExceededException,
                    "A managed policy can have up to \(Self.maxVersions) versions. Before you create a new version, you must delete an existing version."
                )
            }
            let version = PolicyVersionRecord(
                versionId: "v\(record.nextVersion)", document: document, createDate: call.now)
            record.nextVersion += 1
            record.versions.append(version)
            let makeDefault = call[.setAsDefault]?.boolValue ?? false
            if makeDefault { record.defaultVersionId = version.versionId }
            record.updateDate = call.now
            try tx.put(record, kind: Kind.policy, scope: call.account, id: record.policyName)
            return .object(["PolicyVersion": Self.versionValue(version, isDefault: makeDefault, document: false)])
        case "ListPolicyVersions":
            let versions = record.versions.reversed().map {
                Self.versionValue($0, isDefault: $0.versionId == record.defaultVersionId, document: false)
            }
            return .object(["Versions": .list(versions), "IsTruncated": .boolean(false)])
        default:
            let id = try call.required(.versionId)
            guard let version = record.versions.first(where: { $0.versionId == id }) else {
                throw call.error(.noSuchEntityException, "Policy \(arn) version \(id) does not exist.")
            }
            switch call.operation.name {
            case "GetPolicyVersion":
                return .object([
                    "PolicyVersion": Self.versionValue(
                        version, isDefault: id == record.defaultVersionId, document: true)
                ])
            case "SetDefaultPolicyVersion":
                record.defaultVersionId = id
            default:
                guard id != record.defaultVersionId else {
                    throw call.error(.deleteConflictException, "Cannot delete the default version of a policy.")
                }
                record.versions.removeAll { $0.versionId == id }
            }
            record.updateDate = call.now
            try tx.put(record, kind: Kind.policy, scope: call.account, id: record.policyName)
            return nil
        }
    }

    private static func versionValue(_ version: PolicyVersionRecord, isDefault: Bool, document: Bool) -> ShapeValue {
        .object([
            "VersionId": .string(version.versionId), "IsDefaultVersion": .boolean(isDefault),
            "CreateDate": .timestamp(version.createDate),
            "Document": document ? .string(IAMService.urlEncode(version.document)) : nil,
        ])
    }

    /// Attach/Detach/ListAttached for users, roles and groups.
    private func attachment(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let name = call.operation.name
        let owner: AttachmentRecord.Owner =
            name.contains("User") ? .user : name.contains("Role") ? .role : .group
        let ownerName = try call.required(owner == .user ? .userName : owner == .role ? .roleName : .groupName)
        try IAMService.requireOwner(owner, ownerName, call, tx)
        if name.hasPrefix("ListAttached") {
            let attached = try tx.list(AttachmentRecord.self, kind: Kind.attachment, scope: call.account)
                .filter { $0.owner == owner && $0.ownerName == ownerName }
            let values = attached.map { record -> ShapeValue in
                .object([
                    "PolicyName": .string(String(record.policyArn.split(separator: "/").last ?? "")),
                    "PolicyArn": .string(record.policyArn),
                ])
            }
            return .object(["AttachedPolicies": .list(values), "IsTruncated": .boolean(false)])
        }
        let arn = try call.required(.policyArn)
        let id = AttachmentRecord.id(owner, ownerName, arn)
        if name.hasPrefix("Attach") {
            _ = try Self.resolve(arn, call, tx, attaching: true)
            try tx.put(
                AttachmentRecord(owner: owner, ownerName: ownerName, policyArn: arn), kind: Kind.attachment,
                scope: call.account, id: id)
        } else if try !tx.delete(kind: Kind.attachment, scope: call.account, id: id) {
            throw call.error(.noSuchEntityException, "Policy \(arn) was not found.")
        }
        return nil
    }
}

extension ShapeValue {
    /// ListPolicies orders by name.
    fileprivate var sortKey: String { self[member: "PolicyName"]?.stringValue ?? "" }
}
