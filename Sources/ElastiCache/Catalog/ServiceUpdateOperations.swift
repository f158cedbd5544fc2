import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Service updates over a small fixed catalog, and the update actions they make for each
/// cluster and replication group of their engine: not-applied until BatchApplyUpdateAction
/// (in-progress, then complete after a lifecycle on the injected clock); BatchStopUpdateAction
/// stops one that has not completed.
struct ServiceUpdateOperations {
    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    struct ServiceUpdate {
        var name: String
        var engine: String
        var engineVersion: String
        var severity: String
        var status: String
        var released: Date
        var recommendedBy: Date
        var description: String

        var shapeValue: ShapeValue {
            .object([
                "ServiceUpdateName": .string(name), "ServiceUpdateReleaseDate": .timestamp(released),
                // An available update ends four months after its apply-by date (as AWS's example
                // shows one); an expired one ended then.
                "ServiceUpdateEndDate": .timestamp(
                    status == "expired" ? recommendedBy : recommendedBy.addingTimeInterval(120 * 86400)),
                "ServiceUpdateSeverity": .string(severity),
                "ServiceUpdateRecommendedApplyByDate": .timestamp(recommendedBy),
                "ServiceUpdateStatus": .string(status), "ServiceUpdateDescription": .string(description),
                "ServiceUpdateType": .string("security-update"), "Engine": .string(engine),
                "EngineVersion": .string(engineVersion), "AutoUpdateAfterRecommendedApplyByDate": .boolean(false),
                "EstimatedUpdateTime": .string("5 minutes per node"),
            ])
        }
    }

    /// The catalog (documented in the README): two available updates, one expired.
    static let catalog: [ServiceUpdate] = [
        ServiceUpdate(
            name: "elc-20261001-001", engine: "redis", engineVersion: "6.x,7.x", severity: "important",
            status: "available", released: date(2026, 10, 1), recommendedBy: date(2027, 1, 31),
            description: "Security update for Redis OSS 6 and 7 nodes."),
        ServiceUpdate(
            name: "elc-20261101-002", engine: "valkey", engineVersion: "7.x,8.x", severity: "medium",
            status: "available", released: date(2026, 11, 1), recommendedBy: date(2027, 2, 28),
            description: "Operating system patches for Valkey nodes."),
        ServiceUpdate(
            name: "elc-20250301-003", engine: "memcached", engineVersion: "1.6.x", severity: "low",
            status: "expired", released: date(2025, 3, 1), recommendedBy: date(2025, 6, 30),
            description: "Operating system patches for Memcached nodes."),
    ]

    static func date(_ year: Int, _ month: Int, _ day: Int) -> Date {
        Timestamps.utc.date(from: DateComponents(year: year, month: month, day: day)) ?? Date(timeIntervalSince1970: 0)
    }

    func update(_ name: String) throws -> ServiceUpdate {
        guard let update = Self.catalog.first(where: { $0.name == name }) else {
            throw call.error(.serviceUpdateNotFoundFault, "Service update \(name) not found.")
        }
        return update
    }

    func statuses() -> [String]? {
        call[.serviceUpdateStatus]?.listValue?.compactMap(\.stringValue)
    }

    func describeUpdates() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var updates = Self.catalog
        if let name = call.string(.serviceUpdateName) { updates = [try update(name)] }
        if let statuses = statuses() { updates = updates.filter { statuses.contains($0.status) } }
        let (page, next) = try Marker.page(updates, id: \.name, marker: call.string(.marker), maxRecords: maxRecords)
        return .object(["ServiceUpdates": .list(page.map(\.shapeValue)), "Marker": next.map(ShapeValue.string)])
    }

    /// What was done about one update on one resource (kind `elasticache.updateaction`).
    struct Applied: Codable {
        static let kind = "elasticache.updateaction"
        var status: String
        var changed: Date
        var readyAt: Date?
    }

    /// One update action: a service update on a replication group or standalone cluster.
    struct Action {
        var update: ServiceUpdate
        var replicationGroupId: String?
        var cacheClusterId: String?
        var engine: String
        var available: Date
        var resource: String { replicationGroupId ?? cacheClusterId ?? "" }
    }

    func actions() throws -> [Action] {
        var actions: [Action] = []
        let groups = try ReplicationGroupOperations(context: context).all()
        let standalone = try clusters.allClusters().filter { $0.replicationGroupId == nil }
        for update in Self.catalog where update.status == "available" {
            for group in groups where group.engine == update.engine {
                actions.append(
                    Action(
                        update: update, replicationGroupId: group.id, cacheClusterId: nil, engine: group.engine,
                        available: max(update.released, group.createTime ?? update.released)))
            }
            for cluster in standalone where cluster.engine == update.engine {
                actions.append(
                    Action(
                        update: update, replicationGroupId: nil, cacheClusterId: cluster.id, engine: cluster.engine,
                        available: max(update.released, cluster.createTime ?? update.released)))
            }
        }
        return actions
    }

    func applied(_ action: Action) throws -> Applied? {
        let id = "\(action.update.name)/\(action.resource)"
        guard var applied = try tx.get(Applied.self, kind: Applied.kind, scope: context.scope, id: id) else {
            return nil
        }
        if let ready = applied.readyAt, ready <= call.now, applied.status == "in-progress" {
            applied = Applied(status: "complete", changed: ready, readyAt: nil)
            try tx.put(applied, kind: Applied.kind, scope: context.scope, id: id)
        }
        return applied
    }

    func render(_ action: Action, _ applied: Applied?) -> ShapeValue {
        let status = applied?.status ?? "not-applied"
        return .object([
            "ReplicationGroupId": action.replicationGroupId.map(ShapeValue.string),
            "CacheClusterId": action.cacheClusterId.map(ShapeValue.string),
            "ServiceUpdateName": .string(action.update.name),
            "ServiceUpdateReleaseDate": .timestamp(action.update.released),
            "ServiceUpdateSeverity": .string(action.update.severity),
            "ServiceUpdateStatus": .string(action.update.status),
            "ServiceUpdateRecommendedApplyByDate": .timestamp(action.update.recommendedBy),
            "ServiceUpdateType": .string("security-update"), "UpdateActionAvailableDate": .timestamp(action.available),
            "UpdateActionStatus": .string(status), "NodesUpdated": .string(status == "complete" ? "1/1" : "0/1"),
            "UpdateActionStatusModifiedDate": .timestamp(applied?.changed ?? action.available),
            "SlaMet": .string(status == "complete" ? (call.now <= action.update.recommendedBy ? "yes" : "no") : "n/a"),
            "EstimatedUpdateTime": .string("5 minutes per node"), "Engine": .string(action.engine),
        ])
    }

    func describeActions() throws -> ShapeValue {
        let maxRecords = try Marker.maxRecords(call.int(.maxRecords))
        var actions = try actions()
        if let name = call.string(.serviceUpdateName) { actions = actions.filter { $0.update.name == name } }
        if let ids = context.strings(.replicationGroupIds) {
            actions = actions.filter { $0.replicationGroupId.map(ids.contains) ?? false }
        }
        if let ids = context.strings(.cacheClusterIds) {
            actions = actions.filter { $0.cacheClusterId.map(ids.contains) ?? false }
        }
        if let engine = call.string(.engine) { actions = actions.filter { $0.engine == engine } }
        if let statuses = statuses() { actions = actions.filter { statuses.contains($0.update.status) } }
        var rows = try actions.map { ($0, try applied($0)) }
        if let wanted = call[.updateActionStatus]?.listValue?.compactMap(\.stringValue) {
            rows = rows.filter { wanted.contains($0.1?.status ?? "not-applied") }
        }
        let (page, next) = try Marker.page(
            rows, id: { "\($0.0.update.name)/\($0.0.resource)" }, marker: call.string(.marker), maxRecords: maxRecords)
        return .object(["UpdateActions": .list(page.map { render($0.0, $0.1) }), "Marker": next.map(ShapeValue.string)])
    }

    /// BatchApplyUpdateAction (`apply`) or BatchStopUpdateAction on the named resources.
    func batch(apply: Bool) throws -> ShapeValue {
        let update = try update(try call.required(.serviceUpdateName))
        let groups = context.strings(.replicationGroupIds) ?? []
        let clusterIds = context.strings(.cacheClusterIds) ?? []
        guard !groups.isEmpty || !clusterIds.isEmpty, groups.count + clusterIds.count <= 20 else {
            throw AWSError.invalidParameterValue("Name 1 to 20 replication groups or cache clusters.")
        }
        let all = try actions().filter { $0.update.name == update.name }
        var processed: [ShapeValue] = []
        var unprocessed: [ShapeValue] = []
        for (id, isGroup) in groups.map({ ($0, true) }) + clusterIds.map({ ($0, false) }) {
            let resource: ShapeFields = [
                isGroup ? "ReplicationGroupId" : "CacheClusterId": .string(id),
                "ServiceUpdateName": .string(update.name),
            ]
            guard let action = all.first(where: { (isGroup ? $0.replicationGroupId : $0.cacheClusterId) == id }) else {
                unprocessed.append(
                    .structure(
                        resource.merging([
                            "ErrorType": .string("InvalidParameterValue"),
                            "ErrorMessage": .string("\(id) does not exist or the update does not apply to it."),
                        ]) { $1 }))
                continue
            }
            let current = try applied(action)?.status ?? "not-applied"
            let next: String?
            switch (apply, current) {
            case (true, "not-applied"), (true, "stopped"): next = "in-progress"
            case (false, "in-progress"), (false, "not-applied"): next = "stopped"
            default: next = nil
            }
            guard let next else {
                unprocessed.append(
                    .structure(
                        resource.merging([
                            "ErrorType": .string("InvalidParameterValue"),
                            "ErrorMessage": .string("The update action on \(id) is \(current)."),
                        ]) { $1 }))
                continue
            }
            let readyAt = next == "in-progress" ? call.now.addingTimeInterval(context.settings.lifecycleSeconds) : nil
            try tx.put(
                Applied(status: next, changed: call.now, readyAt: readyAt), kind: Applied.kind, scope: context.scope,
                id: "\(update.name)/\(action.resource)")
            processed.append(.structure(resource.merging(["UpdateActionStatus": .string(next)]) { $1 }))
        }
        return .object(["ProcessedUpdateActions": .list(processed), "UnprocessedUpdateActions": .list(unprocessed)])
    }
}
