import AWSModels
import AWSWire
import ServiceContract

/// ListAllowedNodeTypeModifications: the node types a Redis OSS or Valkey cluster can scale to,
/// across families as AWS lists them: up to any current-generation type with more memory, down
/// to any type with less (previous generations included), each list in name order.
struct NodeTypeModifications {
    /// Memory per node type in GiB, from ElastiCache's table of supported node types.
    static let memory: [String: Double] = [
        "cache.t2.micro": 0.555, "cache.t2.small": 1.55, "cache.t2.medium": 3.22,
        "cache.t3.micro": 0.5, "cache.t3.small": 1.37, "cache.t3.medium": 3.09,
        "cache.t4g.micro": 0.5, "cache.t4g.small": 1.37, "cache.t4g.medium": 3.09,
        "cache.m3.medium": 2.78, "cache.m3.large": 6.05, "cache.m3.xlarge": 13.3, "cache.m3.2xlarge": 27.9,
        "cache.m4.large": 6.42, "cache.m4.xlarge": 14.28, "cache.m4.2xlarge": 29.7, "cache.m4.4xlarge": 60.78,
        "cache.m4.10xlarge": 154.64,
        "cache.m5.large": 6.38, "cache.m5.xlarge": 12.93, "cache.m5.2xlarge": 26.04, "cache.m5.4xlarge": 52.26,
        "cache.m5.12xlarge": 157.12, "cache.m5.24xlarge": 314.32,
        "cache.r3.large": 13.5, "cache.r3.xlarge": 28.4, "cache.r3.2xlarge": 58.2, "cache.r3.4xlarge": 118,
        "cache.r3.8xlarge": 237,
        "cache.r4.large": 12.3, "cache.r4.xlarge": 25.05, "cache.r4.2xlarge": 50.47, "cache.r4.4xlarge": 101.38,
        "cache.r4.8xlarge": 203.26, "cache.r4.16xlarge": 407,
        "cache.r5.large": 13.07, "cache.r5.xlarge": 26.32, "cache.r5.2xlarge": 52.82, "cache.r5.4xlarge": 105.81,
        "cache.r5.12xlarge": 317.77, "cache.r5.24xlarge": 635.61,
    ].merging(
        ["m6g", "m7g"].flatMap { family in
            [
                ("large", 6.38), ("xlarge", 12.93), ("2xlarge", 26.04), ("4xlarge", 52.26), ("8xlarge", 103.68),
                ("12xlarge", 157.12), ("16xlarge", 209.55),
            ].map { ("cache.\(family).\($0.0)", $0.1) }
        }
            + ["r6g", "r7g"].flatMap { family in
                [
                    ("large", 13.07), ("xlarge", 26.32), ("2xlarge", 52.82), ("4xlarge", 105.81), ("8xlarge", 209.55),
                    ("12xlarge", 317.77), ("16xlarge", 419.09),
                ].map { ("cache.\(family).\($0.0)", $0.1) }
            }
    ) { first, _ in first }

    /// Previous-generation families: a cluster may scale down to them, never up.
    static let previousGenerations: Set<String> = ["cache.t2", "cache.m3", "cache.m4", "cache.r3", "cache.r4"]

    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }

    func list() throws -> ShapeValue {
        let engine: String
        let nodeType: String
        if let id = call.string(.cacheClusterId) {
            let cluster = try clusters.cluster(id)
            (engine, nodeType) = (cluster.engine, cluster.nodeType)
        } else if let id = call.string(.replicationGroupId) {
            let group = try ReplicationGroupOperations(context: context).group(id)
            (engine, nodeType) = (group.engine, group.nodeType)
        } else {
            throw call.error(
                .invalidParameterCombinationException, "Either CacheClusterId or ReplicationGroupId must be given.")
        }
        guard engine != "memcached" else {
            throw call.error(
                .invalidParameterCombinationException,
                "Node type modifications are not supported for Memcached clusters.")
        }
        let (up, down) = Self.modifications(of: nodeType)
        return .object([
            "ScaleUpModifications": .list(up.map(ShapeValue.string)),
            "ScaleDownModifications": .list(down.map(ShapeValue.string)),
        ])
    }

    /// The types with more memory (current generations only) and with less, in name order.
    static func modifications(of nodeType: String) -> (up: [String], down: [String]) {
        guard let current = memory[nodeType] else { return ([], []) }
        let up = memory.filter { $0.value > current && !previousGenerations.contains(split($0.key).family) }
        let down = memory.filter { $0.value < current }
        return (up.keys.sorted(), down.keys.sorted())
    }

    /// `cache.r6g.xlarge` → (`cache.r6g`, `xlarge`).
    static func split(_ nodeType: String) -> (family: String, size: String) {
        guard let dot = nodeType.lastIndex(of: ".") else { return (nodeType, "") }
        return (String(nodeType[..<dot]), String(nodeType[nodeType.index(after: dot)...]))
    }
}
