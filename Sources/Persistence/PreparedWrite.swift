import Foundation
import Synchronization

/// What a body read of the documents, to check later that it is unchanged.
package enum DocumentRead: Hashable, Sendable {
    case document(kind: String, scope: String, id: String)
    case scope(kind: String, scope: String)
    case kind(String)
    case page(kind: String, scope: String, after: String?, limit: Int)
}

extension StateStore {
    /// Runs `body` on a snapshot, off the writer, with its changes kept aside, then commits them
    /// in one short write if no document `body` read has changed meanwhile; else runs `body`
    /// again inside the write. For passes whose heavy work (compressing, encrypting, writing
    /// files) must not hold every other write back — nor calls: the snapshot's part runs on a
    /// bulk thread (``OwnThreads/bulk(_:)``). The journal only grows, so what `body` read of it
    /// stays true; events appended after the snapshot wait for the next pass.
    package func writePrepared<T: Sendable>(
        _ body: @escaping @Sendable (any StateWriter) throws -> T
    ) async throws -> T {
        let outcome = await OwnThreads.bulk { [self] in
            Result {
                try readHere { reader -> (T, PreparedWrite.Changes, [@Sendable (Bool) -> Void])? in
                    let staging = PreparedWrite(reader: reader)
                    do {
                        let value = try body(staging)
                        return (value, try staging.changes(), staging.finishing.taken())
                    } catch {
                        // What the body staged outside the store (files) is not kept.
                        for action in staging.finishing.taken() { action(false) }
                        if error is PreparedWrite.Stale { return nil }
                        throw error
                    }
                }
            }
        }
        let prepared = try outcome.get()
        guard let (value, changes, actions) = prepared else { return try await write(body) }
        do {
            return try await write { tx in
                for action in actions { tx.whenFinished(action) }
                for (read, fingerprint) in changes.reads where try tx.fingerprint(read) != fingerprint {
                    throw PreparedWrite.Stale()
                }
                for change in changes.writes { try change.apply(to: tx) }
                return value
            }
        } catch is PreparedWrite.Stale {
            return try await write(body)
        }
    }
}

/// A snapshot reader that keeps the writes made through it (and the reads they depended on)
/// to apply later in the writer.
private final class PreparedWrite: StateWriter, ForwardingReader {
    struct Stale: Error {}

    /// One kept change, as stored bytes.
    struct Change: Sendable {
        var kind: String
        var scope: String
        var id: String
        /// Nil for a delete.
        var body: Data?
        var event: JournalEntry?

        func apply(to tx: any StateWriter) throws {
            if let event {
                try tx.appendEvent(event)
            } else if let body {
                try tx.put(body: body, kind: kind, scope: scope, id: id)
            } else {
                try tx.delete(kind: kind, scope: scope, id: id)
            }
        }
    }

    struct Changes: Sendable {
        var reads: [(DocumentRead, Int)]
        var writes: [Change]
    }

    final class Actions: Sendable {
        private let list = Mutex<[@Sendable (Bool) -> Void]>([])
        func add(_ action: @escaping @Sendable (Bool) -> Void) { list.withLock { $0.append(action) } }
        func taken() -> [@Sendable (Bool) -> Void] {
            list.withLock { list in
                defer { list = [] }
                return list
            }
        }
    }

    let reader: any StateReader
    let finishing = Actions()
    private var reads: [DocumentRead] = []
    private var writes: [Change] = []
    private var appended: Int64 = 0
    /// The latest kept body of each document written (nil: deleted).
    private var latest: [DocumentRead: Data?] = [:]

    init(reader: any StateReader) {
        self.reader = reader
    }

    func changes() throws -> Changes {
        var seen = Set<DocumentRead>()
        let unique = reads.filter { seen.insert($0).inserted }
        return Changes(reads: try unique.map { ($0, try reader.fingerprint($0)) }, writes: writes)
    }

    private func kept<T: Decodable>(_ type: T.Type, _ key: DocumentRead) throws -> T?? {
        guard let body = latest[key] else { return nil }
        return .some(try body.map { try JSONDecoder().decode(T.self, from: $0) })
    }

    func get<T: Decodable>(_ type: T.Type, kind: String, scope: String, id: String) throws -> T? {
        let key = DocumentRead.document(kind: kind, scope: scope, id: id)
        reads.append(key)
        if let kept = try kept(type, key) { return kept }
        return try reader.get(type, kind: kind, scope: scope, id: id)
    }

    /// Whether a change is kept for a document of `kind` (in `scope`, when given): a listing
    /// would have to lay it over the snapshot, so the body runs in the writer instead.
    private func changed(_ kind: String, scope: String? = nil) -> Bool {
        latest.keys.contains {
            guard case .document(kind, let changedScope, _) = $0 else { return false }
            return scope == nil || scope == changedScope
        }
    }

    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String) throws -> [T] {
        reads.append(.scope(kind: kind, scope: scope))
        if changed(kind, scope: scope) { throw Stale() }
        return try reader.list(type, kind: kind, scope: scope)
    }

    func listAll<T: Decodable>(_ type: T.Type, kind: String) throws -> [T] {
        reads.append(.kind(kind))
        if changed(kind) { throw Stale() }
        return try reader.listAll(type, kind: kind)
    }

    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String, after: String?, limit: Int) throws -> [T] {
        reads.append(.page(kind: kind, scope: scope, after: after, limit: limit))
        if changed(kind, scope: scope) { throw Stale() }
        return try reader.list(type, kind: kind, scope: scope, after: after, limit: limit)
    }

    func put<T: Encodable>(_ value: T, kind: String, scope: String, id: String) throws {
        try put(body: try DocumentEncoder.encode(value), kind: kind, scope: scope, id: id)
    }

    func put(body: Data, kind: String, scope: String, id: String) throws {
        writes.append(Change(kind: kind, scope: scope, id: id, body: body))
        latest[.document(kind: kind, scope: scope, id: id)] = .some(body)
    }

    func delete(kind: String, scope: String, id: String) throws -> Bool {
        let key = DocumentRead.document(kind: kind, scope: scope, id: id)
        reads.append(key)
        let existed: Bool
        if let kept = latest[key] {
            existed = kept != nil
        } else {
            existed = try reader.contains(kind: kind, scope: scope, id: id)
        }
        writes.append(Change(kind: kind, scope: scope, id: id))
        latest[key] = .some(nil)
        return existed
    }

    func appendEvent(_ entry: JournalEntry) throws -> Int64 {
        writes.append(Change(kind: "", scope: "", id: "", event: entry))
        appended += 1
        // Where it would land if nothing else were appended first (callers do not rely on it).
        return try reader.latestPosition() + appended
    }

    func whenFinished(_ action: @escaping @Sendable (Bool) -> Void) { finishing.add(action) }
}
