import AWSModels
import AWSWire
import Foundation
import ServiceContract

/// The node groups a CreateReplicationGroup asks for: by NodeGroupConfiguration (matched by its
/// NodeGroupId, with its slots, replica count and zones), by NumNodeGroups and
/// ReplicasPerNodeGroup, or by NumCacheClusters and PreferredCacheClusterAZs.
struct GroupLayout {
    struct NodeGroupPlan {
        var id: String
        /// Explicit hash slots (`0-5460`), else an even share.
        var slots: String?
        var replicas: Int
        /// Zones of the primary then each replica, when the call names them.
        var zones: [String]?
    }

    var clusterMode: Bool
    var plans: [NodeGroupPlan]
    /// Replica count per node group.
    var replicas: [Int] { plans.map(\.replicas) }

    init(call: OperationCall, hasPrimary: Bool) throws {
        let configurations = call[.nodeGroupConfiguration]?.listValue ?? []
        let numNodeGroups = call.int(.numNodeGroups)
        clusterMode =
            call.string(.clusterMode) == "enabled" || (numNodeGroups ?? 1) > 1 || configurations.count > 1
        if clusterMode && hasPrimary {
            throw call.error(
                .invalidParameterCombinationException, "PrimaryClusterId cannot be used with cluster mode.")
        }
        let perGroup = call.int(.replicasPerNodeGroup)
        let preferredZones = call[.preferredCacheClusterAZs]?.listValue?.compactMap(\.stringValue)
        if !configurations.isEmpty {
            if let numNodeGroups, numNodeGroups != configurations.count {
                throw AWSError.invalidParameterValue(
                    "NumNodeGroups (\(numNodeGroups)) must equal the number of NodeGroupConfiguration entries (\(configurations.count))."
                )
            }
            plans = try configurations.enumerated().map { index, configuration in
                try Self.plan(configuration, index: index, perGroup: perGroup)
            }
            guard Set(plans.map(\.id)).count == plans.count else {
                throw AWSError.invalidParameterValue("NodeGroupConfiguration names a NodeGroupId twice.")
            }
            try Self.checkSlots(plans.compactMap(\.slots))
        } else if let count = call.int(.numCacheClusters) {
            guard !clusterMode else {
                throw call.error(
                    .invalidParameterCombinationException, "NumCacheClusters cannot be used with cluster mode.")
            }
            guard (1...6).contains(count) else {
                throw AWSError.invalidParameterValue("NumCacheClusters must be between 1 and 6.")
            }
            if let preferredZones, preferredZones.count != count {
                throw AWSError.invalidParameterValue(
                    "PreferredCacheClusterAZs must name one zone for each of the \(count) clusters.")
            }
            plans = [NodeGroupPlan(id: "0001", slots: nil, replicas: count - 1, zones: preferredZones)]
        } else {
            let count = numNodeGroups ?? 1
            let replicas = perGroup ?? (clusterMode ? 1 : 0)
            plans = (0..<count).map {
                NodeGroupPlan(
                    id: String(format: "%04d", $0 + 1), slots: nil, replicas: replicas,
                    zones: count == 1 ? preferredZones : nil)
            }
        }
        guard replicas.allSatisfy({ (0...ReplicationGroupOperations.maxReplicas).contains($0) }) else {
            throw AWSError.invalidParameterValue("ReplicasPerNodeGroup must be between 0 and 5.")
        }
        guard (1...ReplicationGroupOperations.maxNodeGroups).contains(plans.count) else {
            throw call.error(
                .nodeGroupsPerReplicationGroupQuotaExceededFault,
                "A replication group can have at most 500 node groups.")
        }
    }

    /// A global datastore's secondary has the datastore's cluster mode and shard count (its
    /// replicas per shard are the call's).
    mutating func follow(clusterMode: Bool, shards: Int) {
        guard clusterMode else { return }
        self.clusterMode = true
        guard plans.count != shards else { return }
        let replicas = plans.first?.replicas ?? 0
        plans = (0..<shards).map {
            NodeGroupPlan(id: String(format: "%04d", $0 + 1), slots: nil, replicas: replicas, zones: nil)
        }
    }

    /// One NodeGroupConfiguration entry: its id (1 to 4 digits; its position when absent), slots,
    /// replica count and zones, whose number must match.
    static func plan(_ configuration: ShapeValue, index: Int, perGroup: Int?) throws -> NodeGroupPlan {
        var id = String(format: "%04d", index + 1)
        if let given = configuration[member: "NodeGroupId"]?.stringValue {
            guard (1...4).contains(given.count), given.allSatisfy(\.isNumber), let number = Int(given) else {
                throw AWSError.invalidParameterValue("NodeGroupId \(given) must be 1 to 4 digits.")
            }
            id = String(format: "%04d", number)
        }
        let replicas = configuration[member: "ReplicaCount"]?.intValue.map { Int($0) } ?? perGroup ?? 1
        let replicaZones = configuration[member: "ReplicaAvailabilityZones"]?.listValue?.compactMap(\.stringValue)
        if let replicaZones, replicaZones.count != replicas {
            throw AWSError.invalidParameterValue(
                "ReplicaAvailabilityZones of node group \(id) must name one zone for each of its \(replicas) replicas.")
        }
        let primaryZone = configuration[member: "PrimaryAvailabilityZone"]?.stringValue
        var zones: [String]?
        if primaryZone != nil || replicaZones != nil {
            zones = [primaryZone ?? ""] + (replicaZones ?? Array(repeating: "", count: replicas))
        }
        return NodeGroupPlan(
            id: id, slots: configuration[member: "Slots"]?.stringValue, replicas: replicas, zones: zones)
    }

    /// Slot ranges (`0-5460`, or several joined by commas) within 0–16383 that do not overlap.
    static func checkSlots(_ specs: [String]) throws {
        var taken = IndexSet()
        for spec in specs {
            for range in spec.split(separator: ",") {
                let bounds = range.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard bounds.count == 2, let low = bounds[0], let high = bounds[1], 0 <= low, low <= high, high <= 16383
                else { throw AWSError.invalidParameterValue("Slots \(spec) must be ranges within 0-16383.") }
                guard !taken.intersects(integersIn: low...high) else {
                    throw AWSError.invalidParameterValue("Slots \(spec) overlap another node group's.")
                }
                taken.insert(integersIn: low...high)
            }
        }
    }
}
