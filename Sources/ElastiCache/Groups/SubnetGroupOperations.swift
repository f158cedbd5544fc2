import AWSModels
import AWSWire
import Persistence
import ServiceContract

struct SubnetGroupRecord: Sendable, Codable, Equatable, TaggableResource {
    static let kind = "elasticache.subnetgroup"
    static let arnType = "subnetgroup"
    static let notFoundFault = ErrorShape.cacheSubnetGroupNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "Cache subnet group \(id) not found." }

    var id: String { name }
    var name: String
    var description: String
    var subnetIds: [String]
    var arn: String
    var tags: [TagRecord]
}

/// Create/Modify/Delete/DescribeCacheSubnetGroups. Subnets are named, not provisioned: any
/// `subnet-…` id is accepted and placed in the region's zones a, b, c in turn.
struct SubnetGroupOperations {

    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    var table: ResourceTable<SubnetGroupRecord> { context.table(SubnetGroupRecord.self) }

    /// Every account has a `default` subnet group in each region (the default VPC's subnets,
    /// one per zone); clusters created without one are placed in it, as AWS does.
    static let defaultName = "default"

    var defaultGroup: SubnetGroupRecord {
        let seed = SyntheticEndpoints.hash(call.account + call.region)
        return SubnetGroupRecord(
            name: Self.defaultName, description: "default", subnetIds: ["a", "b", "c"].map { "subnet-\(seed)\($0)" },
            arn: context.arn(SubnetGroupRecord.arnType, Self.defaultName), tags: [])
    }

    func group(_ name: String) throws -> SubnetGroupRecord {
        if let found = try table.find(name.lowercased()) { return found }
        if name.lowercased() == Self.defaultName { return defaultGroup }
        throw table.notFound(name)
    }

    func render(_ group: SubnetGroupRecord) -> ShapeValue {
        let zones = ["a", "b", "c"]
        return .object([
            "CacheSubnetGroupName": .string(group.name), "CacheSubnetGroupDescription": .string(group.description),
            "VpcId": .string(context.vpcId),
            "Subnets": .list(
                group.subnetIds.enumerated().map { index, id in
                    .object([
                        "SubnetIdentifier": .string(id),
                        "SubnetAvailabilityZone": .object(["Name": .string(call.region + zones[index % zones.count])]),
                        "SupportedNetworkTypes": .list([.string("ipv4")]),
                    ])
                }),
            "ARN": .string(group.arn), "SupportedNetworkTypes": .list([.string("ipv4")]),
        ])
    }

    private func subnetIds() throws -> [String] {
        let ids = context.strings(.subnetIds) ?? []
        guard !ids.isEmpty else { throw AWSError.invalidParameterValue("SubnetIds must name at least one subnet.") }
        for id in ids where !id.hasPrefix("subnet-") || id.count < 8 {
            throw call.error(.invalidSubnet, "The subnet ID \(id) does not exist")
        }
        return ids
    }

    func handle() throws -> ShapeValue? {
        switch call.operation.name {
        case "CreateCacheSubnetGroup":
            let name = try ClusterValidation.clusterId(
                try call.required(.cacheSubnetGroupName), parameter: "CacheSubnetGroupName", maxLength: 255)
            if try name == Self.defaultName || table.find(name) != nil {
                throw call.error(.cacheSubnetGroupAlreadyExistsFault, "Cache subnet group \(name) already exists.")
            }
            let group = SubnetGroupRecord(
                name: name, description: try call.required(.cacheSubnetGroupDescription), subnetIds: try subnetIds(),
                arn: context.arn(SubnetGroupRecord.arnType, name),
                tags: try TagOperations.tags(call[.tags]))
            try table.put(group)
            return .object(["CacheSubnetGroup": render(group)])
        case "ModifyCacheSubnetGroup":
            var group = try group(try call.required(.cacheSubnetGroupName))
            if let description = call.string(.cacheSubnetGroupDescription) { group.description = description }
            if call[.subnetIds] != nil { group.subnetIds = try subnetIds() }
            try table.put(group)
            return .object(["CacheSubnetGroup": render(group)])
        case "DeleteCacheSubnetGroup":
            let group = try group(try call.required(.cacheSubnetGroupName))
            guard group.name != Self.defaultName else {
                throw AWSError.invalidParameterValue("Cannot delete default cache subnet group.")
            }
            if try clusters.allClusters().contains(where: { $0.subnetGroup == group.name }) {
                throw call.error(.cacheSubnetGroupInUse, "Cache subnet group \(group.name) is in use.")
            }
            try table.delete(group.id)
            return nil
        default:
            let groups =
                try call.string(.cacheSubnetGroupName).map { [try group($0)] }
                ?? ([try table.find(Self.defaultName) ?? defaultGroup]
                    + table.list().filter { $0.name != Self.defaultName })
            let (page, next) = try Marker.page(
                groups, id: \.name, marker: call.string(.marker),
                maxRecords: try Marker.maxRecords(call.int(.maxRecords)))
            return .object(["CacheSubnetGroups": .list(page.map(render)), "Marker": next.map(ShapeValue.string)])
        }
    }
}
