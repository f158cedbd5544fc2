import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// One family's rows in a scope: single-row reads by key, the family's rows in id order,
/// writes. Every read returns rows settled at the call's time (due transitions applied and
/// saved with their service events, finished deletes removed), so no operation sees a status
/// whose time has passed.
struct ResourceTable<Record: ElastiCacheResource> {
    let context: ElastiCacheCall
    let scope: String

    var tx: any StateWriter { context.tx }

    /// The model's not-found fault for `id`.
    func notFound(_ id: String) -> AWSError {
        context.call.error(Record.notFoundFault, Record.notFoundMessage(id))
    }

    /// The row `id`, settled; nil when there is none.
    func find(_ id: String) throws -> Record? {
        guard let stored = try tx.get(Record.self, kind: Record.kind, scope: scope, id: id) else { return nil }
        return try settle(stored)
    }

    /// The row an ARN or a caller names: as given, else lowercased (names ElastiCache keeps in
    /// lower case), settled.
    func find(named name: String) throws -> Record? {
        try find(name) ?? find(name.lowercased())
    }

    /// The row `id`, settled; throws the family's not-found fault.
    func get(_ id: String) throws -> Record {
        guard let record = try find(id) else { throw notFound(id) }
        return record
    }

    /// Every row of the family in the scope, settled, in id order.
    func list() throws -> [Record] {
        try tx.list(Record.self, kind: Record.kind, scope: scope).compactMap { try settle($0) }
    }

    func put(_ record: Record) throws {
        try tx.put(record, kind: Record.kind, scope: scope, id: record.id)
    }

    func delete(_ id: String) throws {
        _ = try tx.delete(kind: Record.kind, scope: scope, id: id)
    }

    /// Applies `stored`'s due transitions and stores the outcome and its events.
    private func settle(_ stored: Record) throws -> Record? {
        let outcome = stored.advanced(to: context.call.now)
        guard outcome.changed, try stored.nodesReady(in: context) else { return stored }
        if let record = outcome.record { try put(record) } else { try delete(stored.id) }
        for event in outcome.events {
            try ServiceEvents.append(
                ServiceEventRecord(
                    sourceIdentifier: stored.id, sourceType: Record.eventSourceType, message: event.message,
                    date: event.date),
                tx: tx, scope: context.scope)
        }
        return outcome.record
    }
}
