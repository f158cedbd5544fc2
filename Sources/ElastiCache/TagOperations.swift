import AWSModels
import AWSWire
import Persistence
import ServiceContract

/// AddTagsToResource, ListTagsForResource, RemoveTagsFromResource.
struct TagOperations {
    /// AWS allows 50 tags per resource.
    static let perResource = 50

    let context: ElastiCacheCall
    var call: OperationCall { context.call }

    static func tags(_ value: ShapeValue?) throws(AWSError) -> [TagRecord] {
        (value?.listValue ?? []).compactMap { tag in
            guard let key = tag[member: "Key"]?.stringValue else { return nil }
            return TagRecord(key: key, value: tag[member: "Value"]?.stringValue ?? "")
        }
    }

    /// Tags as key → value (the last of a repeated key wins).
    static func dictionary(_ tags: [TagRecord]) -> [String: String] {
        Dictionary(tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    static func render(_ tags: [TagRecord]) -> ShapeValue {
        .object(["TagList": .list(tags.map { .object(["Key": .string($0.key), "Value": .string($0.value)]) })])
    }

    /// The families AddTagsToResource reaches by ARN besides clusters, by their ARN type.
    static let families: [String: any TaggableResource.Type] = Dictionary(
        uniqueKeysWithValues: ([
            ReplicationGroupRecord.self, ParameterGroupRecord.self, SubnetGroupRecord.self, SnapshotRecord.self,
            UserRecord.self, UserGroupRecord.self, ServerlessCacheRecord.self, ServerlessSnapshotRecord.self,
            ReservedNodeOperations.Reservation.self, SecurityGroupRecord.self, GlobalDatastoreRecord.self,
        ] as [any TaggableResource.Type]).map { ($0.arnType, $0) })

    /// A taggable resource: its current tags and how to store new ones.
    struct Taggable {
        var tags: [TagRecord]
        var save: ([TagRecord]) throws -> Void
    }

    /// The resource an ARN names, in this call's account and region.
    func resource(_ arn: String) throws -> Taggable {
        guard let parsed = ElastiCacheARN(arn) else {
            throw call.error(.invalidARNFault, "The ARN \(arn) is not a valid ElastiCache ARN.")
        }
        // Global datastores' ARNs name no region: they belong to the account.
        guard parsed.region == call.region || (parsed.region.isEmpty && parsed.type == GlobalDatastoreRecord.arnType),
            parsed.account == call.account
        else {
            throw call.error(.invalidARNFault, "The ARN \(arn) is not in this account and region.")
        }
        let name = parsed.id
        if parsed.type == "cluster" {
            // Clusters keep the account's node counts in step when saved.
            let clusters = CacheClusterOperations(context: context)
            var cluster = try clusters.cluster(name)
            return Taggable(tags: cluster.tags) { tags in
                cluster.tags = tags
                try clusters.save(cluster)
            }
        }
        guard let family = Self.families[parsed.type] else {
            throw call.error(.invalidARNFault, "Tagging \(parsed.type) resources is not served by this server.")
        }
        return try taggable(family, name)
    }

    private func taggable<Record: TaggableResource>(_ family: Record.Type, _ name: String) throws -> Taggable {
        let table = context.table(family)
        guard var record = try table.find(named: name) else { throw table.notFound(name) }
        return Taggable(tags: record.tags) { tags in
            record.tags = tags
            try table.put(record)
        }
    }

    func handle() throws -> ShapeValue {
        let resource = try resource(try call.required(.resourceName))
        var tags = resource.tags
        switch call.operation.name {
        case "AddTagsToResource":
            for tag in try Self.tags(call[.tags]) {
                tags.removeAll { $0.key == tag.key }
                tags.append(tag)
            }
            guard tags.count <= Self.perResource else {
                throw call.error(.tagQuotaPerResourceExceeded, "A resource can have at most \(Self.perResource) tags.")
            }
            try resource.save(tags)
        case "RemoveTagsFromResource":
            let keys = Set(context.strings(.tagKeys) ?? [])
            tags.removeAll { keys.contains($0.key) }
            try resource.save(tags)
        default:
            break
        }
        return Self.render(tags)
    }
}
