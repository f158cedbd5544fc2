import Foundation

/// Reads documents: Codable values addressed by kind, scope (usually an account id) and id.
package protocol StateReader: JournalReader {
    func get<T: Decodable>(_ type: T.Type, kind: String, scope: String, id: String) throws -> T?
    /// Every document of `kind` in `scope`, ordered by id.
    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String) throws -> [T]
    /// Every document of `kind` in every scope (background passes over all accounts).
    func listAll<T: Decodable>(_ type: T.Type, kind: String) throws -> [T]

    /// At most `limit` documents of `kind` in `scope` with ids after `after`, ordered by id.
    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String, after: String?, limit: Int) throws -> [T]
}

/// Reads and writes documents inside one transaction.
package protocol StateWriter: StateReader, JournalWriter {
    func put<T: Encodable>(_ value: T, kind: String, scope: String, id: String) throws
    /// Removes a document; returns whether it existed.
    @discardableResult
    func delete(kind: String, scope: String, id: String) throws -> Bool
    /// Runs `action` once this write's outcome is final: `true` after its transaction
    /// committed, `false` when the write rolled back or the commit failed. For effects outside
    /// the store that must follow it (removing files the write made unreferenced, or that a
    /// failed write left behind).
    func whenFinished(_ action: @escaping @Sendable (_ committed: Bool) -> Void)
}

/// The server's durable state. Each `write` is one transaction: all of it or none of it.
///
/// Implementations: SQLite (``SQLiteStateStore``); PostgreSQL when several instances share state.
package protocol StateStore: Sendable {
    func read<T: Sendable>(_ body: @escaping @Sendable (any StateReader) throws -> T) async throws -> T
    func write<T: Sendable>(_ body: @escaping @Sendable (any StateWriter) throws -> T) async throws -> T
}

/// The store cannot be read or written (disk full, I/O error, locked too long). Calls fail
/// closed with ServiceUnavailable and change nothing.
package enum StateStoreError: Error, CustomStringConvertible {
    case unavailable(String)

    package var description: String {
        switch self {
        case .unavailable(let reason): "state store unavailable: \(reason)"
        }
    }
}
