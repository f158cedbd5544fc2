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
        if try tx.get(Migration.self, kind: Migration.kind, scope: context.scope, id: group.id) != nil {
            throw call.error(
                .replicationGroupAlreadyUnderMigrationFault,
                "Replication group \(group.id) is already under migration.")
        }
        try groups.requireAvailable(group)
        guard !group.authTokenEnabled, !group.transitEncryptionEnabled else {
            throw call.error(
                .invalidReplicationGroupStateFault,
                "Online migration needs a replication group without AUTH and in-transit encryption.")
        }
        let (address, port) = try Self.sourceEndpoint(call)
        return (group, Migration(address: address, port: port, started: call.now))
    }

    /// The one source endpoint CustomerNodeEndpointList must hold.
    static func sourceEndpoint(_ call: OperationCall) throws -> (address: String, port: Int) {
        let endpoints = call[.customerNodeEndpointList]?.listValue ?? []
        guard endpoints.count == 1, let address = endpoints[0][member: "Address"]?.stringValue, !address.isEmpty,
            let port = endpoints[0][member: "Port"]?.intValue, (1...65535).contains(port)
        else {
            throw AWSError.invalidParameterValue(
                "CustomerNodeEndpointList must hold exactly one endpoint with an Address and a Port.")
        }
        return (address, Int(port))
    }

    /// Start and Complete migrate into a replication group or a serverless cache (one of the
    /// two names); Prepare and Stop exist for serverless caches only.
    func serverlessOrGroup() throws -> ShapeValue {
        let name = call.operation.name
        if call.string(.serverlessCacheName) != nil {
            guard call.string(.replicationGroupId) == nil else {
                throw call.error(
                    .invalidParameterCombinationException,
                    "ReplicationGroupId and ServerlessCacheName cannot be given together.")
            }
            if name == "StartMigration", call[.customerNodeEndpointList] != nil {
                throw call.error(
                    .invalidParameterCombinationException,
                    "A serverless migration uses the endpoint given to PrepareMigration; omit CustomerNodeEndpointList."
                )
            }
            let serverless = ServerlessMigrationOperations(serverless: ServerlessOperations(context: context))
            switch name {
            case "PrepareMigration": return try serverless.prepare()
            case "StartMigration": return try serverless.start()
            case "StopMigration": return try serverless.stop()
            default: return try serverless.complete()
            }
        }
        switch name {
        case "StartMigration": return try start()
        case "CompleteMigration": return try complete()
        default: _ = try call.required(.serverlessCacheName)
        }
        throw AWSError.internalFailure
    }

    func start() throws -> ShapeValue {
        var (group, migration) = try checked()
        try tx.put(migration, kind: Migration.kind, scope: context.scope, id: group.id)
        // The group is modifying while its primary starts replicating from the source.
        groups.begin(.modifying, &group, nodeGroups: false)
        try groups.save(group)
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
