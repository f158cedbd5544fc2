import AWSModels
import AWSWire
import ServiceContract

/// Durability (Valkey 9.0 and later): writes persisted to a Multi-AZ transactional log before
/// (`sync`) or after (`async`) the answer. Chosen at creation (`default` resolves to `disabled`);
/// only sync and async can be switched later. Durable groups are encrypted at rest.
enum Durability {
    static let values: Set<String> = ["default", "sync", "async", "disabled"]

    static func checked(_ value: String) throws -> String {
        guard values.contains(value) else {
            throw AWSError.invalidParameterValue("Durability must be one of default, sync, async or disabled.")
        }
        return value
    }

    /// The mode a new group runs with.
    static func effective(_ requested: String?, version: EngineCatalog.Version, call: OperationCall) throws -> String {
        guard let requested, try checked(requested) == "sync" || requested == "async" else {
            return "disabled"
        }
        let major = Int(version.version.split(separator: ".").first ?? "") ?? 0
        guard version.engine == "valkey", major >= 9 else {
            throw call.error(
                .invalidParameterCombinationException,
                "Durability \(requested) requires Valkey 9.0 or later (not \(version.engine) \(version.version)).")
        }
        return requested
    }

    /// The mode after ModifyReplicationGroup asks for `requested`.
    static func modified(_ requested: String, current: String, call: OperationCall) throws -> String {
        let requested = try checked(requested)
        if requested == "default" { return current }
        guard (current == "disabled") == (requested == "disabled") else {
            throw call.error(
                .invalidParameterCombinationException,
                "Durability is enabled or disabled when the replication group is created; only sync and async can be switched."
            )
        }
        return requested
    }
}
