import AWSModels
import AWSWire
import Persistence
import ServiceContract

struct SecurityGroupRecord: Sendable, Codable, Equatable, TaggableResource {
    static let kind = "elasticache.securitygroup"
    static let arnType = "securitygroup"
    static let notFoundFault = ErrorShape.cacheSecurityGroupNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "CacheSecurityGroup \(id) not found." }

    var id: String { name }
    var name: String
    var description: String
    /// Authorized EC2 security groups: name and owner account.
    var ingress: [Ingress]
    var tags: [TagRecord]
    /// Absent in rows stored before the groups kept their ARN.
    var storedArn: String?

    var arn: String { storedArn ?? "" }

    struct Ingress: Sendable, Codable, Equatable {
        var name: String
        var owner: String
    }
}

/// Cache security groups (EC2-Classic style): Create, Delete, Describe, Authorize and Revoke
/// ingress. The group `default` always exists.
struct SecurityGroupOperations {
    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    var table: ResourceTable<SecurityGroupRecord> { context.table(SecurityGroupRecord.self) }

    func group(_ name: String) throws -> SecurityGroupRecord {
        if let found = try table.find(name.lowercased()) { return found }
        if name.lowercased() == "default" {
            return SecurityGroupRecord(
                name: "default", description: "default", ingress: [], tags: [],
                storedArn: context.arn(SecurityGroupRecord.arnType, "default"))
        }
        throw table.notFound(name)
    }

    func render(_ group: SecurityGroupRecord) -> ShapeValue {
        .object([
            "OwnerId": .string(call.account), "CacheSecurityGroupName": .string(group.name),
            "Description": .string(group.description),
            "EC2SecurityGroups": .list(
                group.ingress.map {
                    .object([
                        "Status": .string("authorized"), "EC2SecurityGroupName": .string($0.name),
                        "EC2SecurityGroupOwnerId": .string($0.owner),
                    ])
                }),
            "ARN": .string(context.arn(SecurityGroupRecord.arnType, group.name)),
        ])
    }

    func handle() throws -> ShapeValue? {
        switch call.operation.name {
        case "CreateCacheSecurityGroup":
            let name = try ClusterValidation.clusterId(
                try call.required(.cacheSecurityGroupName), parameter: "CacheSecurityGroupName", maxLength: 255)
            if try name == "default" || table.find(name) != nil {
                throw call.error(.cacheSecurityGroupAlreadyExistsFault, "Cache security group \(name) already exists.")
            }
            let group = SecurityGroupRecord(
                name: name, description: try call.required(.description), ingress: [],
                tags: try TagOperations.tags(call[.tags]), storedArn: context.arn(SecurityGroupRecord.arnType, name))
            try table.put(group)
            return .object(["CacheSecurityGroup": render(group)])
        case "DeleteCacheSecurityGroup":
            let group = try group(try call.required(.cacheSecurityGroupName))
            guard group.name != "default" else {
                throw call.error(
                    .invalidCacheSecurityGroupStateFault, "The default cache security group cannot be deleted.")
            }
            if try clusters.allClusters().contains(where: { $0.cacheSecurityGroupNames.contains(group.name) }) {
                throw call.error(.invalidCacheSecurityGroupStateFault, "Cache security group \(group.name) is in use.")
            }
            try table.delete(group.id)
            return nil
        case "AuthorizeCacheSecurityGroupIngress", "RevokeCacheSecurityGroupIngress":
            var group = try group(try call.required(.cacheSecurityGroupName))
            let ingress = SecurityGroupRecord.Ingress(
                name: try call.required(.eC2SecurityGroupName), owner: try call.required(.eC2SecurityGroupOwnerId))
            if call.operation.name.hasPrefix("Authorize") {
                guard !group.ingress.contains(ingress) else {
                    throw call.error(
                        .authorizationAlreadyExistsFault, "EC2 security group \(ingress.name) is already authorized.")
                }
                group.ingress.append(ingress)
            } else {
                guard group.ingress.contains(ingress) else {
                    throw call.error(
                        .authorizationNotFoundFault, "EC2 security group \(ingress.name) is not authorized.")
                }
                group.ingress.removeAll { $0 == ingress }
            }
            try table.put(group)
            return .object(["CacheSecurityGroup": render(group)])
        default:
            var groups =
                try call.string(.cacheSecurityGroupName).map { [try group($0)] }
                ?? table.list()
            if call.string(.cacheSecurityGroupName) == nil && !groups.contains(where: { $0.name == "default" }) {
                groups.append(try group("default"))
            }
            let (page, next) = try Marker.page(
                groups.sorted { $0.name < $1.name }, id: \.name, marker: call.string(.marker),
                maxRecords: try Marker.maxRecords(call.int(.maxRecords)))
            return .object(["CacheSecurityGroups": .list(page.map(render)), "Marker": next.map(ShapeValue.string)])
        }
    }
}
