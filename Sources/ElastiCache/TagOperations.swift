import AWSModels
import AWSWire
import Persistence
import ServiceContract

/// AddTagsToResource, ListTagsForResource, RemoveTagsFromResource.
struct TagOperations {
    /// AWS allows 50 tags per resource.
    static let perResource = 50

    let clusters: CacheClusterOperations
    var call: OperationCall { clusters.call }

    static func tags(_ value: ShapeValue?) throws(AWSError) -> [TagRecord] {
        (value?.listValue ?? []).compactMap { tag in
            guard let key = tag[member: "Key"]?.stringValue else { return nil }
            return TagRecord(key: key, value: tag[member: "Value"]?.stringValue ?? "")
        }
    }

    static func render(_ tags: [TagRecord]) -> ShapeValue {
        .object(["TagList": .list(tags.map { .object(["Key": .string($0.key), "Value": .string($0.value)]) })])
    }

    /// A taggable resource: its current tags and how to store new ones.
    struct Taggable {
        var tags: [TagRecord]
        var save: ([TagRecord]) throws -> Void
    }

    /// The resource an ARN names: a cluster, replication group, parameter or subnet group.
    func resource(_ arn: String) throws -> Taggable {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "elasticache" else {
            throw call.error("InvalidARNFault", "The ARN \(arn) is not a valid ElastiCache ARN.")
        }
        guard parts[3] == call.region, parts[4] == call.account else {
            throw call.error("InvalidARNFault", "The ARN \(arn) is not in this account and region.")
        }
        let name = String(parts[6])
        let tx = clusters.tx
        let scope = clusters.scope
        switch parts[5] {
        case "cluster":
            var cluster = try clusters.cluster(name)
            return Taggable(tags: cluster.tags) { tags in
                cluster.tags = tags
                try clusters.save(cluster)
            }
        case "replicationgroup":
            let groups = ReplicationGroupOperations(clusters: clusters)
            var group = try groups.group(name)
            return Taggable(tags: group.tags) { tags in
                group.tags = tags
                try groups.save(group)
            }
        case "parametergroup":
            var group = try ParameterGroupOperations(clusters: clusters).group(name)
            return Taggable(tags: group.tags) { tags in
                group.tags = tags
                try tx.put(group, kind: ParameterGroupOperations.kind, scope: scope, id: group.name)
            }
        case "subnetgroup":
            var group = try SubnetGroupOperations(clusters: clusters).group(name)
            return Taggable(tags: group.tags) { tags in
                group.tags = tags
                try tx.put(group, kind: SubnetGroupOperations.kind, scope: scope, id: group.name)
            }
        default:
            throw call.error("InvalidARNFault", "Tagging \(parts[5]) resources is not served by this server yet.")
        }
    }

    func handle() throws -> ShapeValue {
        let resource = try resource(try call.required("ResourceName"))
        var tags = resource.tags
        switch call.operation.name {
        case "AddTagsToResource":
            for tag in try Self.tags(call.input[member: "Tags"]) {
                tags.removeAll { $0.key == tag.key }
                tags.append(tag)
            }
            guard tags.count <= Self.perResource else {
                throw call.error("TagQuotaPerResourceExceeded", "A resource can have at most \(Self.perResource) tags.")
            }
            try resource.save(tags)
        case "RemoveTagsFromResource":
            let keys = Set(clusters.strings("TagKeys") ?? [])
            tags.removeAll { keys.contains($0.key) }
            try resource.save(tags)
        default:
            break
        }
        return Self.render(tags)
    }
}
