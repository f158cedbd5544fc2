import AWSWire

/// Parameters whose value depends on the node type (DescribeEngineDefaultParameters' and
/// DescribeCacheParameters' CacheNodeTypeSpecificParameters): Redis OSS/Valkey `maxmemory` (the
/// node's memory) and the replica output buffer limits (a tenth of it, as AWS's example lists
/// them); Memcached `max_cache_memory` (megabytes). None of them is modifiable.
enum NodeTypeSpecificParameters {
    static func specs(family: String) -> [ParameterSpec] {
        let since = ParameterCatalog.parameters(family: family)?.first?.minimumEngineVersion ?? ""
        if family.hasPrefix("memcached") {
            return [
                .init(
                    "max_cache_memory", "", "integer", "0-", modifiable: false, reboot: true, since: since,
                    "The maximum amount of memory, in megabytes, to use for storing items.")
            ]
        }
        // Redis OSS 5 renamed "slave" to "replica" in its configuration.
        let replica = family == "redis4.0" ? "slave" : "replica"
        return [
            .init(
                "client-output-buffer-limit-\(replica)-hard-limit", "", "integer", "0-", modifiable: false,
                since: since,
                "Replica client output buffer hard limit in bytes."),
            .init(
                "client-output-buffer-limit-\(replica)-soft-limit", "", "integer", "0-", modifiable: false,
                since: since,
                "Replica client output buffer soft limit in bytes."),
            .init(
                "maxmemory", "", "integer", "0-", modifiable: false, since: since,
                "The maximum configurable amount of memory to use to store items, in bytes."),
        ]
    }

    /// The value of `spec` on a node of `gibibytes` memory.
    static func value(_ spec: ParameterSpec, gibibytes: Double) -> String {
        let bytes = Int64(gibibytes * 1_073_741_824)
        switch spec.name {
        case "max_cache_memory": return String(bytes / 1_048_576)
        case "maxmemory": return String(bytes)
        default: return String(bytes / 10)
        }
    }

    static func render(family: String) -> ShapeValue {
        let types = NodeTypeModifications.memory.sorted { $0.key < $1.key }
        return .list(
            specs(family: family).map { spec in
                .object([
                    "ParameterName": .string(spec.name), "Description": .string(spec.description),
                    "Source": .string("system"), "DataType": .string(spec.dataType),
                    "AllowedValues": .string(spec.allowedValues), "IsModifiable": .boolean(spec.modifiable),
                    "MinimumEngineVersion": .string(spec.minimumEngineVersion),
                    "ChangeType": .string(spec.changeType),
                    "CacheNodeTypeSpecificValues": .list(
                        types.map {
                            .object([
                                "CacheNodeType": .string($0.key),
                                "Value": .string(value(spec, gibibytes: $0.value)),
                            ])
                        }),
                ])
            })
    }
}
