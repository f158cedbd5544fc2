import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Tags on users and roles (`iam.tags`, id `user/NAME` or `role/NAME`): TagUser, UntagUser,
/// ListUserTags, TagRole, UntagRole, ListRoleTags, CreateUser's and CreateRole's `Tags`. They are
/// the principal's `aws:PrincipalTag/…` condition keys.
struct PrincipalTagOperations {
    /// IAM allows 50 tags per user or role.
    static let limit = 50

    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let user = call.operation.name.contains("User")
        let name = try call.required(user ? .userName : .roleName)
        try IAMService.requireOwner(user ? .user : .role, name, call, tx)
        let id = "\(user ? "user" : "role")/\(name)"
        switch call.operation.name.prefix(3) {
        case "Tag": try Self.add(call, id: id, tx)
        case "Unt":
            var record = try tx.get(TagsRecord.self, kind: Kind.tags, scope: call.account, id: id) ?? TagsRecord()
            let keys = Set((call[.tagKeys]?.listValue ?? []).compactMap(\.stringValue))
            record.tags.removeAll { keys.contains($0.key) }
            try tx.put(record, kind: Kind.tags, scope: call.account, id: id)
        default:
            return .object(["Tags": try Self.value(id, call, tx) ?? .list([]), "IsTruncated": .boolean(false)])
        }
        return nil
    }

    /// Adds the call's `Tags` (replacing values of keys it names again).
    static func add(_ call: OperationCall, id: String, _ tx: any StateWriter) throws {
        let given = (call[.tags]?.listValue ?? []).compactMap { tag -> TagsRecord.Tag? in
            guard let key = tag[member: "Key"]?.stringValue else { return nil }
            return TagsRecord.Tag(key: key, value: tag[member: "Value"]?.stringValue ?? "")
        }
        guard !given.isEmpty else { return }
        var record = try tx.get(TagsRecord.self, kind: Kind.tags, scope: call.account, id: id) ?? TagsRecord()
        for tag in given {
            if let index = record.tags.firstIndex(where: { $0.key == tag.key }) {
                record.tags[index].value = tag.value
            } else {
                record.tags.append(tag)
            }
        }
        guard record.tags.count <= limit else {
            throw call.error(
                .limitExceededException, "The number of tags has reached the maximum limit of \(limit).")
        }
        try tx.put(record, kind: Kind.tags, scope: call.account, id: id)
    }

    /// The `Tags` list of a user or role, nil when it has none.
    static func value(_ id: String, _ call: OperationCall, _ tx: any StateReader) throws -> ShapeValue? {
        guard let record = try tx.get(TagsRecord.self, kind: Kind.tags, scope: call.account, id: id),
            !record.tags.isEmpty
        else { return nil }
        return .list(record.tags.map { .object(["Key": .string($0.key), "Value": .string($0.value)]) })
    }
}

/// A user's or role's tags, in the order they were first set.
struct TagsRecord: CachedDocument, Equatable {
    struct Tag: Codable, Equatable, Sendable {
        var key: String
        var value: String
    }

    var tags: [Tag] = []
}

extension IdentityStore {
    /// `aws:PrincipalTag/KEY` of the user or role whose policies `principal` uses.
    static func principalTags(of principal: Principal, in tx: any StateReader) throws -> [String: [String]] {
        let id = principal.policyUser.map { "user/\($0)" } ?? principal.policyRole.map { "role/\($0)" }
        guard let id, let record = try tx.get(TagsRecord.self, kind: Kind.tags, scope: principal.accountId, id: id)
        else { return [:] }
        var keys: [String: [String]] = [:]
        for tag in record.tags { keys["aws:PrincipalTag/\(tag.key)"] = [tag.value] }
        return keys
    }
}
