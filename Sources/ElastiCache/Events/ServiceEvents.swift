import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract
import Synchronization

/// One entry of ElastiCache's own event log (DescribeEvents).
struct ServiceEventRecord: Sendable, Codable, Equatable {
    var sourceIdentifier: String
    /// `cache-cluster`, `cache-parameter-group`, `cache-subnet-group`, …
    var sourceType: String
    var message: String
    var date: Date
}

/// The service's event log: appended as transitions happen, kept 14 days.
struct ServiceEvents {
    static let kind = "elasticache.event"
    static let retention: TimeInterval = 14 * 86_400

    let context: ElastiCacheCall
    var clusters: CacheClusterOperations { CacheClusterOperations(context: context) }
    var call: OperationCall { context.call }

    /// Ids sort by the event's date, then by the order of appending: events one call writes at
    /// the same instant come back in the order it wrote them. The sequence starts at the wall
    /// clock's microseconds, so a later server process continues above an earlier one's.
    static func append(_ event: ServiceEventRecord, tx: any StateWriter, scope: String) throws {
        let next = sequence.add(1, ordering: .relaxed).newValue
        let id = String(format: "%017.6f-%020llu", event.date.timeIntervalSince1970, next)
        try tx.put(event, kind: kind, scope: scope, id: id)
    }

    private static let sequence = Atomic<UInt64>(UInt64(Date().timeIntervalSince1970 * 1_000_000))

    /// DescribeEvents: by source, type and time (default: the last 60 minutes), oldest first.
    func describe() throws -> ShapeValue {
        // Transitions that fell due since anything last read their family write their events
        // now, so the list holds everything that happened (not only what someone described).
        _ = try clusters.allClusters()
        _ = try context.table(ReplicationGroupRecord.self).list()
        _ = try context.table(SnapshotRecord.self).list()
        _ = try context.table(UserRecord.self).list()
        _ = try context.table(UserGroupRecord.self).list()
        _ = try context.table(ServerlessCacheRecord.self).list()
        _ = try context.table(ServerlessSnapshotRecord.self).list()
        let tx = context.tx
        let oldest = call.now.addingTimeInterval(-Self.retention)
        var events: [ServiceEventRecord] = []
        for event in try tx.list(ServiceEventRecord.self, kind: Self.kind, scope: context.scope) {
            if event.date < oldest { continue }
            events.append(event)
        }
        let start = date(.startTime) ?? call.now.addingTimeInterval(-TimeInterval((call.int(.duration) ?? 60) * 60))
        let end = date(.endTime) ?? call.now
        guard start <= end else { throw AWSError.invalidParameterValue("StartTime must be before EndTime.") }
        events = events.filter { $0.date >= start && $0.date <= end }
        if let type = call.string(.sourceType) { events = events.filter { $0.sourceType == type } }
        if let id = call.string(.sourceIdentifier) {
            events = events.filter { $0.sourceIdentifier == id.lowercased() }
        }
        let keyed = events.enumerated().map { (String(format: "%09d", $0.offset), $0.element) }
        let (page, next) = try Marker.page(
            keyed, id: \.0, marker: call.string(.marker), maxRecords: try Marker.maxRecords(call.int(.maxRecords)))
        return .object([
            "Events": .list(
                page.map { _, event in
                    .object([
                        "SourceIdentifier": .string(event.sourceIdentifier), "SourceType": .string(event.sourceType),
                        "Message": .string(event.message), "Date": .timestamp(event.date),
                    ])
                }),
            "Marker": next.map(ShapeValue.string),
        ])
    }

    private func date(_ member: MemberName) -> Date? {
        if case .timestamp(let date)? = call.input[member: member.rawValue] { return date }
        return nil
    }
}
