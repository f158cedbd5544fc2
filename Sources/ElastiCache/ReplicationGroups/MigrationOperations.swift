import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Online migration from a self-managed Redis OSS into a replication group: StartMigration,
/// TestMigration and CompleteMigration with their state checks. No data moves (there is no
/// engine behind the control plane); the source endpoint is validated and remembered.
struct MigrationOperations {
    let context: ElastiCacheCall
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }
    var groups: ReplicationGroupOperations { ReplicationGroupOperations(context: context) }

    struct Migration: Codable {
        static let kind = "elasticache.migration"
        var address: String
        var port: Int
        var started: Date
    }

    /// The group, available and not in cluster mode, with exactly one valid source endpoint.
    func checked() throws -> (ReplicationGroupRecord, Migration) {
        let group = try groups.group(try call.required(.replicationGroupId))
        try groups.requireAvailable(group)
        if try tx.get(Migration.self, kind: Migration.kind, scope: context.scope, id: group.id) != nil {
            throw call.error(
                .replicationGroupAlreadyUnderMigrationFault,
                "Replication group \(group.id) is already under migration.")
        }
        guard !group.authTokenEnabled, !group.transitEncryptionEnabled else {
            throw call.error(
                .invalidReplicationGroupStateFault,
                "Online migration needs a replication group without AUTH and in-transit encryption.")
        }
        let endpoints = call[.customerNodeEndpointList]?.listValue ?? []
        guard endpoints.count == 1, let address = endpoints[0][member: "Address"]?.stringValue, !address.isEmpty,
            let port = endpoints[0][member: "Port"]?.intValue, (1...65535).contains(port)
        else {
            throw AWSError.invalidParameterValue(
                "CustomerNodeEndpointList must hold exactly one endpoint with an Address and a Port.")
        }
        return (group, Migration(address: address, port: Int(port), started: call.now))
    }

    func start() throws -> ShapeValue {
        let (group, migration) = try checked()
        try tx.put(migration, kind: Migration.kind, scope: context.scope, id: group.id)
        return .object(["ReplicationGroup": try groups.render(group)])
    }

    func test() throws -> ShapeValue {
        let (group, _) = try checked()
        return .object(["ReplicationGroup": try groups.render(group)])
    }

    func complete() throws -> ShapeValue {
        let group = try groups.group(try call.required(.replicationGroupId))
        guard try tx.delete(kind: Migration.kind, scope: context.scope, id: group.id) else {
            throw call.error(
                .replicationGroupNotUnderMigrationFault, "Replication group \(group.id) is not under migration.")
        }
        return .object(["ReplicationGroup": try groups.render(group)])
    }
}
