import AWSModels
import AWSWire
import Persistence
import ServiceContract

/// A user-created cache parameter group; `default.<family>` groups are implicit.
struct ParameterGroupRecord: Sendable, Codable, Equatable, TaggableResource {
    static let kind = "elasticache.parametergroup"
    static let arnType = "parametergroup"
    static let notFoundFault = ErrorShape.cacheParameterGroupNotFoundFault
    static func notFoundMessage(_ id: String) -> String { "CacheParameterGroup \(id) not found." }

    var id: String { name }
    var name: String
    var family: String
    var description: String
    var arn: String
    /// Values set by ModifyCacheParameterGroup, by parameter name.
    var overrides: [String: String]
    var tags: [TagRecord]
}

/// Create/Describe/Modify/Reset/Delete of cache parameter groups, DescribeCacheParameters and
/// DescribeEngineDefaultParameters.
struct ParameterGroupOperations {
    /// AWS's default quota of parameter groups per region.
    static let quota = 150

    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    var table: ResourceTable<ParameterGroupRecord> { context.table(ParameterGroupRecord.self) }

    func notFound(_ name: String) -> AWSError { table.notFound(name) }

    func arn(_ name: String) -> String { context.arn(ParameterGroupRecord.arnType, name) }

    /// The group `name`: a stored group, or the implicit default group of a family.
    func group(_ name: String) throws -> ParameterGroupRecord {
        if name.hasPrefix("default."), let family = ParameterCatalog.families.first(where: { "default.\($0)" == name })
        {
            return ParameterGroupRecord(
                name: name, family: family, description: "Default parameter group for \(family)", arn: arn(name),
                overrides: [:], tags: [])
        }
        if name.hasPrefix("default."), name.hasSuffix(".cluster.on"),
            let family = Self.clusterFamilies.first(where: { "default.\($0).cluster.on" == name })
        {
            return ParameterGroupRecord(
                name: name, family: family,
                description: "Customized default parameter group for \(family) with cluster mode on", arn: arn(name),
                overrides: ["cluster-enabled": "yes"], tags: [])
        }
        guard let stored = try table.find(name.lowercased()) else { throw notFound(name) }
        return stored
    }

    /// Families with a `default.<family>.cluster.on` group.
    static let clusterFamilies = ParameterCatalog.families.filter { !$0.hasPrefix("memcached") }

    func all() throws -> [ParameterGroupRecord] {
        let defaults =
            try ParameterCatalog.families.map { try group("default.\($0)") }
            + Self.clusterFamilies.map { try group("default.\($0).cluster.on") }
        let stored = try table.list()
        return (defaults + stored).sorted { $0.name < $1.name }
    }

    static func render(_ group: ParameterGroupRecord) -> ShapeValue {
        .object([
            "CacheParameterGroupName": .string(group.name), "CacheParameterGroupFamily": .string(group.family),
            "Description": .string(group.description), "IsGlobal": .boolean(false), "ARN": .string(group.arn),
        ])
    }

    func handle() throws -> ShapeValue? {
        switch call.operation.name {
        case "CreateCacheParameterGroup": return try create()
        case "DescribeCacheParameterGroups":
            let groups = try call.string(.cacheParameterGroupName).map { [try group($0)] } ?? all()
            let (page, next) = try Marker.page(
                groups, id: \.name, marker: call.string(.marker),
                maxRecords: try Marker.maxRecords(call.int(.maxRecords)))
            return .object([
                "CacheParameterGroups": .list(page.map(Self.render)), "Marker": next.map(ShapeValue.string),
            ])
        case "DescribeCacheParameters":
            let group = try group(try call.required(.cacheParameterGroupName))
            return try parameters(family: group.family, overrides: group.overrides, source: call.string(.source))
        case "DescribeEngineDefaultParameters":
            let family = try call.required(.cacheParameterGroupFamily)
            guard ParameterCatalog.parameters(family: family) != nil else { throw Self.invalidFamily(family) }
            var defaults = try parameters(family: family, overrides: [:], source: nil)
            if case .structure(var fields) = defaults {
                fields["CacheParameterGroupFamily"] = .string(family)
                defaults = .structure(fields)
            }
            return .object(["EngineDefaults": defaults])
        case "ModifyCacheParameterGroup": return try modify()
        case "ResetCacheParameterGroup": return try reset()
        default: return try delete()
        }
    }

    static func invalidFamily(_ family: String) -> AWSError {
        AWSError.invalidParameterValue(
            "The parameter CacheParameterGroupFamily \(family) is not a valid family. Valid families are \(ParameterCatalog.families.joined(separator: ", "))."
        )
    }

    private func create() throws -> ShapeValue {
        let name = try ClusterValidation.clusterId(
            try call.required(.cacheParameterGroupName), parameter: "CacheParameterGroupName", maxLength: 255)
        let family = try call.required(.cacheParameterGroupFamily)
        guard ParameterCatalog.parameters(family: family) != nil else { throw Self.invalidFamily(family) }
        guard !name.hasPrefix("default") else {
            throw AWSError.invalidParameterValue("CacheParameterGroupName must not begin with 'default'.")
        }
        let existing = try table.list()
        if existing.contains(where: { $0.name == name }) {
            throw call.error(.cacheParameterGroupAlreadyExistsFault, "Parameter group \(name) already exists.")
        }
        guard existing.count < Self.quota else {
            throw call.error(
                .cacheParameterGroupQuotaExceededFault, "Parameter group quota of \(Self.quota) exceeded.")
        }
        let group = ParameterGroupRecord(
            name: name, family: family, description: try call.required(.description), arn: arn(name), overrides: [:],
            tags: try TagOperations.tags(call[.tags]))
        try table.put(group)
        return .object(["CacheParameterGroup": Self.render(group)])
    }

    private func parameters(family: String, overrides: [String: String], source: String?) throws -> ShapeValue {
        var specs = ParameterCatalog.parameters(family: family) ?? []
        switch source {
        case "user": specs = specs.filter { overrides[$0.name] != nil }
        case "system", "engine-default": specs = specs.filter { overrides[$0.name] == nil }
        default: break
        }
        let (page, next) = try Marker.page(
            specs.sorted { $0.name < $1.name }, id: \.name, marker: call.string(.marker),
            maxRecords: try Marker.maxRecords(call.int(.maxRecords)))
        let rendered = page.map { spec -> ShapeValue in
            let value = overrides[spec.name] ?? spec.defaultValue
            return .object([
                "ParameterName": .string(spec.name), "ParameterValue": value.isEmpty ? nil : .string(value),
                "Description": .string(spec.description),
                "Source": .string(overrides[spec.name] == nil ? "system" : "user"),
                "DataType": .string(spec.dataType), "AllowedValues": .string(spec.allowedValues),
                "IsModifiable": .boolean(spec.modifiable), "MinimumEngineVersion": .string(spec.minimumEngineVersion),
                "ChangeType": .string(spec.changeType),
            ])
        }
        return .object([
            "Parameters": .list(rendered), "Marker": next.map(ShapeValue.string),
            "CacheNodeTypeSpecificParameters": source == "user"
                ? nil : NodeTypeSpecificParameters.render(family: family),
        ])
    }

    /// A stored (non-default) group, for changes.
    private func changeable(_ name: String) throws -> ParameterGroupRecord {
        let found = try group(name)
        guard !found.name.hasPrefix("default.") else {
            throw call.error(
                .invalidCacheParameterGroupStateFault,
                "Default parameter group \(found.name) cannot be modified or deleted.")
        }
        return found
    }

    private func modify() throws -> ShapeValue {
        var group = try changeable(try call.required(.cacheParameterGroupName))
        let specs = ParameterCatalog.parameters(family: group.family) ?? []
        let changes = call[.parameterNameValues]?.listValue ?? []
        guard (1...20).contains(changes.count) else {
            throw AWSError.invalidParameterValue("ParameterNameValues must hold between 1 and 20 parameters.")
        }
        for change in changes {
            guard let name = change[member: "ParameterName"]?.stringValue,
                let value = change[member: "ParameterValue"]?.stringValue
            else { throw AWSError.invalidParameterValue("Each parameter needs a ParameterName and a ParameterValue.") }
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw AWSError.invalidParameterValue("Unrecognized parameter name: \(name)")
            }
            guard spec.modifiable else { throw AWSError.invalidParameterValue("Parameter \(name) is not modifiable.") }
            guard spec.accepts(value) else {
                throw AWSError.invalidParameterValue(
                    "Value (\(value)) for parameter \(name) is invalid. Allowed values: \(spec.allowedValues)")
            }
            group.overrides[name] = value
        }
        try table.put(group)
        try markPendingReboot(group, changed: changes.compactMap { $0[member: "ParameterName"]?.stringValue })
        return .object(["CacheParameterGroupName": .string(group.name)])
    }

    /// A changed static parameter reaches the group's clusters only when they reboot: until then
    /// their ParameterApplyStatus is `pending-reboot`, as AWS reports it.
    private func markPendingReboot(_ group: ParameterGroupRecord, changed: [String]) throws {
        let specs = ParameterCatalog.parameters(family: group.family) ?? []
        guard specs.contains(where: { changed.contains($0.name) && $0.changeType == "requires-reboot" }) else { return }
        for var cluster in try clusters.allClusters() where cluster.parameterGroup == group.name {
            cluster.parameterApplyStatus = "pending-reboot"
            try clusters.save(cluster)
        }
    }

    private func reset() throws -> ShapeValue {
        var group = try changeable(try call.required(.cacheParameterGroupName))
        if call[.resetAllParameters]?.boolValue == true {
            group.overrides = [:]
        } else {
            let names = (call[.parameterNameValues]?.listValue ?? []).compactMap {
                $0[member: "ParameterName"]?.stringValue
            }
            guard !names.isEmpty else {
                throw call.error(
                    .invalidParameterCombinationException, "Give ParameterNameValues or set ResetAllParameters.")
            }
            for name in names { group.overrides[name] = nil }
        }
        let before = try changeable(group.name).overrides
        try table.put(group)
        try markPendingReboot(group, changed: Array(before.keys.filter { group.overrides[$0] == nil }))
        return .object(["CacheParameterGroupName": .string(group.name)])
    }

    private func delete() throws -> ShapeValue? {
        let group = try changeable(try call.required(.cacheParameterGroupName))
        if try clusters.allClusters().contains(where: { $0.parameterGroup == group.name }) {
            throw call.error(
                .invalidCacheParameterGroupStateFault, "Parameter group \(group.name) is in use by a cache cluster.")
        }
        try table.delete(group.id)
        return nil
    }
}
