import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Online migration into a serverless cache: PrepareMigration names the source, StartMigration
/// syncs (AutoCutover, ClearTargetCacheData), StopMigration pauses, CompleteMigration cuts over.
/// The steps and their refusals are AWS's; no data moves from the source (see README).
struct ServerlessMigrationOperations {
    let serverless: ServerlessOperations
    var call: OperationCall { serverless.call }

    func prepare() throws -> ShapeValue {
        var cache = try serverless.cache(try call.required(.serverlessCacheName))
        if cache.migration != nil && cache.migration?.status != .completed {
            throw call.error(
                .serverlessCacheAlreadyUnderMigrationFault,
                "Serverless cache \(cache.name) is already under migration.")
        }
        try serverless.requireAvailable(cache)
        guard cache.engine == "valkey" || cache.engine == "redis" else {
            throw call.error(
                .invalidParameterCombinationException, "Online migration is supported for Valkey caches only.")
        }
        let (address, port) = try MigrationOperations.sourceEndpoint(call)
        let tls = call[.sourceTlsConfiguration]
        let tlsMode = tls?[member: "SourceTlsMode"]?.stringValue ?? "none"
        if tlsMode == "verify-ca", tls?[member: "SourceTlsCertificate"]?.stringValue?.isEmpty ?? true {
            throw AWSError.invalidParameterValue("SourceTlsMode verify-ca requires a SourceTlsCertificate.")
        }
        if let arn = call[.sourceAuthenticationConfiguration]?[member: "SecretManagerConfig"]?[member: "SecretArn"]?
            .stringValue, !(Partition.afterPartition(arn)?.hasPrefix("secretsmanager:") ?? false)
        {
            throw AWSError.invalidParameterValue("SecretArn must be the ARN of a Secrets Manager secret.")
        }
        cache.migration = ServerlessMigration(
            status: .prepared, sourceAddress: address, sourcePort: port, tlsMode: tlsMode, cutoverMode: nil)
        return try save(cache)
    }

    func start() throws -> ShapeValue {
        var (cache, migration) = try underMigration()
        switch migration.status {
        case .prepared: break
        case .stopped:
            guard call[.clearTargetCacheData]?.boolValue == true else {
                throw AWSError.invalidParameterValue(
                    "ClearTargetCacheData must be true to restart the data sync after StopMigration.")
            }
        case .syncing, .completed:
            throw call.error(
                .invalidServerlessCacheStateFault, "The migration of \(cache.name) is \(migration.status.rawValue).")
        }
        migration.status = .syncing
        migration.cutoverMode = call[.autoCutover]?.boolValue == true ? "auto" : "manual"
        cache.migration = migration
        return try save(cache)
    }

    func stop() throws -> ShapeValue {
        var (cache, migration) = try underMigration()
        guard migration.status == .syncing else {
            throw call.error(
                .invalidServerlessCacheStateFault,
                "The data sync of \(cache.name) can be stopped only while it is syncing (it is \(migration.status.rawValue))."
            )
        }
        migration.status = .stopped
        cache.migration = migration
        return try save(cache)
    }

    func complete() throws -> ShapeValue {
        var (cache, migration) = try underMigration()
        // Only a running sync is healthy; Force cuts over (or abandons the migration) regardless.
        guard migration.status == .syncing || call[.force]?.boolValue == true else {
            throw call.error(
                .migrationHealthFault,
                "The migration of \(cache.name) is \(migration.status.rawValue), not in sync; set Force to complete it anyway."
            )
        }
        migration.status = .completed
        cache.migration = migration
        return try save(cache)
    }

    private func underMigration() throws -> (ServerlessCacheRecord, ServerlessMigration) {
        let cache = try serverless.cache(try call.required(.serverlessCacheName))
        guard let migration = cache.migration, migration.status != .completed else {
            throw call.error(
                .serverlessCacheNotUnderMigrationFault, "Serverless cache \(cache.name) is not under migration.")
        }
        return (cache, migration)
    }

    private func save(_ cache: ServerlessCacheRecord) throws -> ShapeValue {
        try serverless.table.put(cache)
        return .object([
            "ServerlessCache": cache.shapeValue(
                region: call.region, endpoints: serverless.context.settings.endpoints)
        ])
    }
}
