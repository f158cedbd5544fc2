import AWSModels
import AWSWire
import ServiceContract

/// ListAllowedNodeTypeModifications: the node types a Redis OSS or Valkey cluster can scale to,
/// ordered by size within the same instance family.
struct NodeTypeModifications {
    static let sizes = [
        "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "10xlarge", "12xlarge",
        "16xlarge", "24xlarge",
    ]

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
        let (family, size) = Self.split(nodeType)
        let rank = Self.sizes.firstIndex(of: size) ?? 0
        let sameFamily = EngineCatalog.nodeTypes.filter { Self.split($0).family == family }
        let up = sameFamily.filter { (Self.sizes.firstIndex(of: Self.split($0).size) ?? 0) > rank }.sorted()
        let down = sameFamily.filter { (Self.sizes.firstIndex(of: Self.split($0).size) ?? 0) < rank }.sorted()
        return .object([
            "ScaleUpModifications": .list(up.map(ShapeValue.string)),
            "ScaleDownModifications": .list(down.map(ShapeValue.string)),
        ])
    }

    /// `cache.r6g.xlarge` → (`cache.r6g`, `xlarge`).
    static func split(_ nodeType: String) -> (family: String, size: String) {
        guard let dot = nodeType.lastIndex(of: ".") else { return (nodeType, "") }
        return (String(nodeType[..<dot]), String(nodeType[nodeType.index(after: dot)...]))
    }
}
