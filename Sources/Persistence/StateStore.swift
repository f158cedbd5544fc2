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

    /// Whether the document exists.
    func contains(kind: String, scope: String, id: String) throws -> Bool

    /// A hash of the ids and stored bytes of what `read` reads (seeded per process): equal
    /// fingerprints mean the documents are unchanged.
    func fingerprint(_ read: DocumentRead) throws -> Int

    /// In a read of a snapshot, the store's document generation (``DocumentCache/generation``:
    /// every kind) read before the snapshot began: what is derived from this reader's documents
    /// stays current while the store's generation equals it. Nil in a write, whose own changes
    /// no generation includes.
    var snapshotGeneration: Int? { get }
}

/// Reads and writes documents inside one transaction.
package protocol StateWriter: StateReader, JournalWriter {
    func put<T: Encodable>(_ value: T, kind: String, scope: String, id: String) throws
    /// Stores a document already encoded.
    func put(body: Data, kind: String, scope: String, id: String) throws
    /// Stores a document already encoded unless one of that key exists; false (nothing
    /// stored) when it does. One statement where a check and a put were two.
    func putNew(body: Data, kind: String, scope: String, id: String) throws -> Bool
    /// Removes a document; returns whether it existed.
    @discardableResult
    func delete(kind: String, scope: String, id: String) throws -> Bool
    /// Runs `action` once this write's outcome is final: `true` after its transaction
    /// committed, `false` when the write rolled back or the commit failed. For effects outside
    /// the store that must follow it (removing files the write made unreferenced, or that a
    /// failed write left behind).
    func whenFinished(_ action: @escaping @Sendable (_ committed: Bool) -> Void)
}

extension StateWriter {
    package func putNew(body: Data, kind: String, scope: String, id: String) throws -> Bool {
        guard try !contains(kind: kind, scope: scope, id: id) else { return false }
        try put(body: body, kind: kind, scope: scope, id: id)
        return true
    }
}

/// The server's durable state. Each `write` is one transaction: all of it or none of it.
///
/// Implementations: SQLite (``SQLiteStateStore``); PostgreSQL when several instances share state.
package protocol StateStore: Sendable {
    /// Runs `body` on a snapshot of the last committed state, beside the writer (never waits
    /// for it, never blocks it).
    func read<T: Sendable>(_ body: @escaping @Sendable (any StateReader) throws -> T) async throws -> T
    /// ``read(_:)`` on the calling thread: no hop to a reader's queue and back, for the short
    /// reads of one request (a hop costs more than a Describe's own read). With `keptFirst`,
    /// `body` is first run with no snapshot: if it reads no row (its answer is kept by
    /// ``StateReader/snapshotGeneration``) that answer stands and no transaction is begun;
    /// its first read stops that attempt, and `body` runs again on a snapshot. Only for
    /// bodies that may run twice.
    func readHere<T>(keptFirst: Bool, _ body: (any StateReader) throws -> T) throws -> T
    /// Runs `body` in a transaction of the single writer; returns once it is committed as
    /// `durability` says.
    func write<T: Sendable>(
        _ durability: Durability, _ body: @escaping @Sendable (any StateWriter) throws -> T
    ) async throws -> T

    /// Keeps read-only calls' events so that they survive a crash of the process when this
    /// returns (not yet of the machine); they enter the journal with the next commit, before
    /// that commit's own writes, and soon after even without one.
    func appendReadEvents(_ entries: [JournalEntry]) throws

    /// Returns once every read event appended so far is in the journal (before reading it).
    func flushReadEvents() async throws

    /// The count of changes to documents of `kinds` by this process's writes
    /// (``DocumentCache/generation(of:)``): what was derived from documents of those kinds read
    /// after reading its ``KindsGeneration/current`` is current while that is unchanged.
    func documentGeneration(of kinds: [String]) -> KindsGeneration
}

/// What a committed write survives when it returns.
package enum Durability: Sendable {
    /// On disk (the log is fsynced): survives a crash of the machine.
    case synced
    /// In the log, not yet fsynced: survives a crash of the process (kill -9), and reaches the
    /// disk with the next synced commit. For read-only calls' events, which change no state.
    case journaled
}

extension StateStore {
    /// A synced write: everything a mutating call changes.
    package func write<T: Sendable>(_ body: @escaping @Sendable (any StateWriter) throws -> T) async throws -> T {
        try await write(.synced, body)
    }

    /// ``readHere(keptFirst:_:)`` beginning with a snapshot.
    package func readHere<T>(_ body: (any StateReader) throws -> T) throws -> T {
        try readHere(keptFirst: false, body)
    }

    /// Runs `body` on a snapshot (none if it reads no row: ``readHere(keptFirst:_:)``), off the
    /// writer, for calls that usually change nothing. Returns nil when `body` tried to change
    /// state (a due transition to save, a session to store): the caller then runs it again as a
    /// write. Nothing `body` tried to change is kept.
    package func readUnlessWriting<T: Sendable>(
        _ body: @escaping @Sendable (any StateWriter) throws -> T
    ) async throws -> T? {
        try readHere(keptFirst: true) { reader in
            let attempt = ReadAttempt(reader: reader)
            do {
                let value = try body(attempt)
                return attempt.flag.wrote ? nil : value
            } catch {
                if attempt.flag.wrote { return nil }
                throw error
            }
        }
    }
}

/// A reader posing as a writer: the first change it is asked for stops the attempt.
private struct ReadAttempt: StateWriter, ForwardingReader {
    final class Flag {
        var wrote = false
    }

    /// Thrown to stop a body at its first change; `readUnlessWriting` turns it into nil.
    struct WriteNeeded: Error {}

    let reader: any StateReader
    let flag = Flag()

    /// The snapshot's: an attempt that writes is not answered from this reader.
    var snapshotGeneration: Int? { reader.snapshotGeneration }

    private func refuse() -> WriteNeeded {
        flag.wrote = true
        return WriteNeeded()
    }

    func get<T: Decodable>(_ type: T.Type, kind: String, scope: String, id: String) throws -> T? {
        try reader.get(type, kind: kind, scope: scope, id: id)
    }
    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String) throws -> [T] {
        try reader.list(type, kind: kind, scope: scope)
    }
    func listAll<T: Decodable>(_ type: T.Type, kind: String) throws -> [T] { try reader.listAll(type, kind: kind) }
    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String, after: String?, limit: Int) throws -> [T] {
        try reader.list(type, kind: kind, scope: scope, after: after, limit: limit)
    }
    func put<T: Encodable>(_ value: T, kind: String, scope: String, id: String) throws { throw refuse() }
    func put(body: Data, kind: String, scope: String, id: String) throws { throw refuse() }
    func delete(kind: String, scope: String, id: String) throws -> Bool { throw refuse() }
    func appendEvent(_ entry: JournalEntry) throws -> Int64 { throw refuse() }
    func whenFinished(_ action: @escaping @Sendable (Bool) -> Void) { flag.wrote = true }
}

/// A reader that answers journal and existence reads from the one it wraps.
protocol ForwardingReader: StateReader {
    var reader: any StateReader { get }
}

extension ForwardingReader {
    /// None: a forwarding reader derives its own answers unless it says otherwise.
    var snapshotGeneration: Int? { nil }
    func contains(kind: String, scope: String, id: String) throws -> Bool {
        try reader.contains(kind: kind, scope: scope, id: id)
    }
    func fingerprint(_ read: DocumentRead) throws -> Int { try reader.fingerprint(read) }
    func events(_ query: JournalQuery) throws -> [(position: Int64, entry: JournalEntry)] { try reader.events(query) }
    func latestPosition() throws -> Int64 { try reader.latestPosition() }
    func pending(account: String, region: String, after: Int64, upTo: Int64?, limit: Int) throws
        -> [(position: Int64, entry: JournalEntry)]
    {
        try reader.pending(account: account, region: region, after: after, upTo: upTo, limit: limit)
    }
    func regions(account: String, after: Int64) throws -> [String] {
        try reader.regions(account: account, after: after)
    }
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
