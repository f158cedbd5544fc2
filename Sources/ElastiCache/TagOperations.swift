import AWSModels
import AWSWire
import IAM
import Persistence

/// AddTagsToResource, ListTagsForResource, RemoveTagsFromResource on cluster ARNs.
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

    /// The cluster an ARN names; other resource types answer InvalidARN until they are served.
    func cluster(_ arn: String) throws -> CacheClusterRecord {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "elasticache" else {
            throw call.error("InvalidARNFault", "The ARN \(arn) is not a valid ElastiCache ARN.")
        }
        guard parts[3] == call.region, parts[4] == call.account else {
            throw call.error("InvalidARNFault", "The ARN \(arn) is not in this account and region.")
        }
        guard parts[5] == "cluster" else {
            throw call.error("InvalidARNFault", "Tagging \(parts[5]) resources is not served by this server yet.")
        }
        return try clusters.cluster(String(parts[6]))
    }

    func handle() throws -> ShapeValue {
        var cluster = try cluster(try call.required("ResourceName"))
        switch call.operation.name {
        case "AddTagsToResource":
            for tag in try Self.tags(call.input[member: "Tags"]) {
                cluster.tags.removeAll { $0.key == tag.key }
                cluster.tags.append(tag)
            }
            guard cluster.tags.count <= Self.perResource else {
                throw call.error("TagQuotaPerResourceExceeded", "A resource can have at most \(Self.perResource) tags.")
            }
            try clusters.save(cluster)
        case "RemoveTagsFromResource":
            let keys = Set(clusters.strings("TagKeys") ?? [])
            cluster.tags.removeAll { keys.contains($0.key) }
            try clusters.save(cluster)
        default:
            break
        }
        return Self.render(cluster.tags)
    }
}
