import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// User groups: each must hold a user named `default`; a group attached to a replication
/// group or serverless cache cannot be deleted.
extension UserOperations {
    /// The users `ids` name, which must exist and include one named `default`, with no two of
    /// the same name.
    func members(_ ids: [String]) throws -> [String] {
        let all = try users()
        var names: Set<String> = []
        for id in ids {
            guard let user = all.first(where: { $0.id == id }) else { throw userNotFound(id) }
            guard names.insert(user.name).inserted else {
                throw call.error(.duplicateUserNameFault, "A user group cannot hold two users named \(user.name).")
            }
        }
        guard names.contains("default") else {
            throw call.error(.defaultUserRequired, "A user group must contain a user with the user name default.")
        }
        return ids
    }

    func createGroup() throws -> ShapeValue {
        let id = try call.required(.userGroupId)
        guard Self.validId(id) else {
            throw AWSError.invalidParameterValue(
                "User group ID must begin with a letter and contain only letters, digits and hyphens.")
        }
        let engine = try Self.engine(try call.required(.engine))
        if try groupTable.find(id) != nil {
            throw call.error(.userGroupAlreadyExistsFault, "User group \(id) already exists.")
        }
        let ids = (call[.userIds]?.listValue ?? []).compactMap(\.stringValue)
        let group = UserGroupRecord(
            id: id, engine: engine, userIds: try members(ids),
            arn: context.arn(UserGroupRecord.arnType, id), status: .creating,
            readyAt: context.readyAt, replicationGroups: [],
            serverlessCaches: [], tags: try TagOperations.tags(call[.tags]))
        try groupTable.put(group)
        return group.shapeValue
    }

    func modifyGroup() throws -> ShapeValue {
        var group = try group(try call.required(.userGroupId))
        guard group.status == .active else {
            throw call.error(
                .invalidUserGroupStateFault, "User group \(group.id) is \(group.status.rawValue), not active.")
        }
        let add = (call[.userIdsToAdd]?.listValue ?? []).compactMap(\.stringValue)
        let remove = (call[.userIdsToRemove]?.listValue ?? []).compactMap(\.stringValue)
        if !Set(add).isDisjoint(with: remove) {
            throw call.error(.invalidParameterCombinationException, "A user cannot be both added and removed.")
        }
        for id in remove where !group.userIds.contains(id) { throw userNotFound(id) }
        if let engine = call.string(.engine) { group.engine = try Self.engine(engine) }
        let ids = group.userIds.filter { !remove.contains($0) } + add.filter { !group.userIds.contains($0) }
        group.userIds = try members(ids)
        group.begin(.modifying, until: context.readyAt)
        group.pendingAdd = add.isEmpty ? nil : add
        group.pendingRemove = remove.isEmpty ? nil : remove
        try groupTable.put(group)
        return group.shapeValue
    }

    func deleteGroup() throws -> ShapeValue {
        var group = try group(try call.required(.userGroupId))
        guard group.status == .active, group.replicationGroups.isEmpty, group.serverlessCaches.isEmpty else {
            throw call.error(
                .invalidUserGroupStateFault,
                "User group \(group.id) is \(group.status.rawValue) or still attached to a replication group or serverless cache."
            )
        }
        try groupTable.delete(group.id)
        group.status = .deleting
        return group.shapeValue
    }

    func describeGroups() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var all = try groups()
        if let id = call.string(.userGroupId) {
            all = all.filter { $0.id == id }
            if all.isEmpty { throw groupNotFound(id) }
        }
        let (page, next) = try Marker.page(all, id: \.id, marker: call.string(.marker), maxRecords: maxRecords)
        return .object(["UserGroups": .list(page.map(\.shapeValue)), "Marker": next.map(ShapeValue.string)])
    }

    /// Attaches (or detaches) user groups to a replication group or serverless cache `owner`.
    func attach(_ ids: [String], to owner: String, serverless: Bool, detach: Bool = false) throws {
        for id in ids {
            var group = try group(id)
            if serverless {
                group.serverlessCaches.removeAll { $0 == owner }
                if !detach { group.serverlessCaches.append(owner) }
            } else {
                group.replicationGroups.removeAll { $0 == owner }
                if !detach { group.replicationGroups.append(owner) }
            }
            try groupTable.put(group)
        }
    }
}
