import Foundation
import GRDB
import Synchronization

/// The embedded state store: one SQLite file in the data directory (WAL mode, so the
/// `account create` command can write while the server runs).
///
/// Writes are durable when they return: the log is synced at every commit
/// (`synchronous = FULL`, not GRDB's WAL default NORMAL, which survives a crash of the process
/// but not of the machine), and concurrent writes share commits (``GroupCommit``).
package final class SQLiteStateStore: StateStore {
    private let writer: any DatabaseWriter
    private let group: GroupCommit
    private let documents = DocumentCache()
    /// The request path's own read connections (nil in memory, where the queue reads).
    private let requestReaders: RequestReaders?
    private let reads: ReadEventLog
    /// How soon after a read event arrives a commit group takes it in (nil: only with the next write).
    /// 20 ms: groups of a Describe loop at 64 connections carry ~150 events, and the committer's
    /// CPU per event fell from 13.8 to 11.4 µs against 5 ms; LookupEvents and delivery flush
    /// what waits first, so nothing reads the journal without the events before it.
    private let readDrainDelay: Duration?
    private let journalIndex: JournalIndex
    /// Checkpoints of the state file's log (nil in memory).
    private let checkpointer: Checkpointer?

    /// Opens (creating if needed) the database at `path`; nil `path` keeps it in memory.
    /// Read events left in segment files by a server that was killed are committed first.
    /// `journalIndexDelay` is how long after a commit its events are indexed for lookups (nil:
    /// only by ``indexJournal()``). `checkpointFrames`: the log's frames after which a commit
    /// asks the checkpointer's thread for a checkpoint (nil: never) and after which it runs one
    /// itself (``Checkpointer``).
    package init(
        path: String?, readDrainDelay: Duration? = .milliseconds(20), journalIndexDelay: Duration? = journalIndexPause,
        checkpointFrames: (background: Int32?, inline: Int32) = (
            SQLiteStateStore.backgroundCheckpointPages, SQLiteStateStore.checkpointPages
        )
    ) throws {
        let directory = path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        let indexPath = directory.map { "\($0)/\(Self.journalIndexFile)" }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Each write of a commit group runs in a savepoint, whose undo pages (the statement
        // journal) would otherwise spill to a temporary file: several writes per captured call.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Lookups read the index; the writer does not attach it (its transactions are
            // IMMEDIATE, which would lock the index against the indexer too).
            if let indexPath {
                if db.configuration.readonly { try JournalIndex.attach(db, path: indexPath) }
            } else {
                try JournalIndex.attach(db, path: ":memory:")
            }
        }
        if let path {
            writer = try DatabasePool(path: path, configuration: configuration)
        } else {
            writer = try DatabaseQueue(configuration: configuration)
        }
        try Self.migrator.migrate(writer)
        if let path, let indexPath {
            var indexing = Configuration()
            indexing.busyMode = .timeout(10)
            indexing.prepareDatabase { db in
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try JournalIndex.attach(db, path: indexPath)
                try db.execute(sql: "PRAGMA idx.journal_mode = WAL")
                try db.execute(sql: "PRAGMA idx.synchronous = NORMAL")
            }
            journalIndex = try JournalIndex(
                writer: try DatabaseQueue(path: path, configuration: indexing), delay: journalIndexDelay)
        } else {
            journalIndex = try JournalIndex(writer: writer, delay: journalIndexDelay)
        }
        requestReaders = path.map { RequestReaders(path: $0, configuration: configuration) }
        checkpointer = try path.map {
            try Checkpointer(
                path: $0, backgroundFrames: checkpointFrames.background, inlineFrames: checkpointFrames.inline)
        }
        // After the pool opened: opening a pool sets its writer to NORMAL.
        // A store in memory has no write-ahead log to checkpoint.
        try writer.writeWithoutTransaction { [checkpointer] db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            checkpointer?.install(on: db)
        }
        if let directory {
            let leftovers = ReadEventLog.leftovers(in: directory)
            try writer.write { db in try ReadEventLog.recover(leftovers, in: directory, into: db) }
            for file in leftovers { try? FileManager.default.removeItem(atPath: file) }
        }
        reads = ReadEventLog(directory: directory)
        self.readDrainDelay = readDrainDelay
        group = GroupCommit(
            writer: writer, documents: documents, reads: reads, journalIndex: journalIndex,
            journalIndexed: path == nil)
        // Events committed before this store opened (by an earlier version, or another process).
        journalIndex.wake()
    }

    /// Events committed and not indexed for lookups yet.
    package func journalIndexLag() throws -> Int64 {
        do {
            return try journalIndex.lag()
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }

    /// Indexes every event committed so far for lookups; returns how many were indexed.
    @discardableResult
    package func indexJournal() throws -> Int {
        do {
            return try journalIndex.catchUp()
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }

    /// The journal index's file, beside the state file (``JournalIndex``).
    package static let journalIndexFile = "journal-index.sqlite"

    /// How long after a commit the journal index takes its events in. Each run writes every index
    /// page its batch touched; a value seen for the first time (a create's new resource name) is a
    /// row on a random page, so short runs wrote about a page a create. At 250 ms against 20 ms
    /// the indexer's CPU per create at 64 connections fell from 11.5 to 5.8 µs and its writes from
    /// 1.86 to 0.62 (BENCHMARKS.md, stop 72). A lookup meanwhile walks the unindexed tail.
    package static let journalIndexPause: Duration = .milliseconds(250)

    package func documentGeneration(of kinds: [String]) -> KindsGeneration { documents.generation(of: kinds) }

    /// Pages of write-ahead log after which a commit copies them into the database file itself,
    /// on the writer's thread, when the checkpointer's thread has not (SQLite's default: 1,000).
    /// A captured create logs about three pages, so the default checkpointed every ~300 calls,
    /// copying the same hot pages (index interiors, the usage document) each time; with 8,000 (a
    /// log of up to ~32 MiB) CreateCacheCluster at 64 connections went from ~6,400 to ~7,500
    /// calls/s (BENCHMARKS.md, stop 43).
    package static let checkpointPages: Int32 = 8_000
    /// Pages of log after which a commit asks the checkpointer's thread for a checkpoint.
    package static let backgroundCheckpointPages: Int32 = 2_000

    /// What the state file's checkpoints did since the store opened (nil in memory).
    package var checkpoints: CheckpointCounts? { checkpointer?.done }

    deinit {
        // The hook points at the checkpointer, which goes with this store.
        if checkpointer != nil { writer.writeWithoutTransaction { db in Checkpointer.uninstall(from: db) } }
    }

    package func appendReadEvents(_ entries: [JournalEntry]) throws {
        guard try reads.append(entries), let readDrainDelay else { return }
        Task {
            try? await Task.sleep(for: readDrainDelay)
            try? await self.flushReadEvents()
        }
    }

    package func flushReadEvents() async throws {
        guard !reads.isEmpty else { return }
        _ = try await write(.journaled) { _ in }
    }

    /// Read transactions begun on the calling thread (``readHere(keptFirst:_:)``) since the
    /// store opened.
    package var readTransactionCount: Int { readTransactions.load(ordering: .relaxed) }
    private let readTransactions = Atomic<Int>(0)

    /// Transactions committed, writes they carried, and commits fsynced, since the store opened.
    package var commitCounts: (commits: Int, writes: Int, synced: Int) { group.counts }

    /// Writes waiting for the next commit group.
    package var waitingWrites: Int { group.waiting }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("documents") { db in
            try db.execute(
                sql: """
                    CREATE TABLE documents (
                        kind TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL,
                        PRIMARY KEY (kind, scope, id)
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("journal") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id TEXT NOT NULL UNIQUE, account TEXT NOT NULL, region TEXT NOT NULL,
                        event_time REAL NOT NULL, event_name TEXT NOT NULL, event_source TEXT NOT NULL,
                        read_only INTEGER NOT NULL, username TEXT, access_key_id TEXT, record TEXT NOT NULL
                    );
                    CREATE INDEX events_by_account ON events (account, region, seq);
                    CREATE INDEX events_by_name ON events (account, region, event_name, seq);
                    CREATE INDEX events_by_username ON events (account, region, username, seq);
                    CREATE INDEX events_by_source ON events (account, region, event_source, seq);
                    CREATE INDEX events_by_key ON events (account, region, access_key_id, seq);
                    CREATE INDEX events_by_read_only ON events (account, region, read_only, seq);
                    CREATE INDEX events_by_account_seq ON events (account, seq);
                    """)
        }
        migrator.registerMigration("journal-data-events") { db in
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN management INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE events ADD COLUMN resource_arn TEXT;
                    """)
        }
        migrator.registerMigration("journal-resources") { db in
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN resource_type TEXT;
                    ALTER TABLE events ADD COLUMN resource_name TEXT;
                    CREATE INDEX events_by_resource_type ON events (account, region, resource_type, seq);
                    CREATE INDEX events_by_resource_name ON events (account, region, resource_name, seq);
                    """)
        }
        // Every index is written on every captured call. ReadOnly lookups walk (account, region,
        // seq) and filter; the regions with pending events come from a loose scan of that index.
        migrator.registerMigration("journal-fewer-indexes") { db in
            try db.execute(
                sql: """
                    DROP INDEX IF EXISTS events_by_read_only;
                    DROP INDEX IF EXISTS events_by_account_seq;
                    """)
        }
        // The attribute indexes move to the journal index (``JournalIndex``), which is rebuilt
        // for a journal of another identity (a state file replaced beside an old index file).
        migrator.registerMigration("journal-index-apart") { db in
            try db.execute(
                sql: """
                    DROP INDEX IF EXISTS events_by_name;
                    DROP INDEX IF EXISTS events_by_username;
                    DROP INDEX IF EXISTS events_by_source;
                    DROP INDEX IF EXISTS events_by_key;
                    DROP INDEX IF EXISTS events_by_resource_type;
                    DROP INDEX IF EXISTS events_by_resource_name;
                    CREATE TABLE journal_identity (id TEXT NOT NULL);
                    INSERT INTO journal_identity (id) VALUES (lower(hex(randomblob(16))));
                    """)
        }
        // A unique index over random event ids dirtied a page of its own for every event the
        // writer committed (about half the log's pages per group). Lookups by event id move to
        // the journal index (which this rebuilds: a new identity), and a read-event segment's
        // commit is recognised by `read_segments` (``ReadEventLog``) instead of by its ids.
        migrator.registerMigration("journal-event-id-apart") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events_rebuilt (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,
                        event_time REAL NOT NULL, event_name TEXT NOT NULL, event_source TEXT NOT NULL,
                        read_only INTEGER NOT NULL, username TEXT, access_key_id TEXT, record TEXT NOT NULL,
                        management INTEGER NOT NULL DEFAULT 1, resource_arn TEXT, resource_type TEXT,
                        resource_name TEXT
                    );
                    INSERT INTO events_rebuilt (seq, event_id, account, region, event_time, event_name,
                        event_source, read_only, username, access_key_id, record, management, resource_arn,
                        resource_type, resource_name)
                    SELECT seq, event_id, account, region, event_time, event_name, event_source, read_only, username,
                        access_key_id, record, management, resource_arn, resource_type, resource_name FROM events;
                    UPDATE sqlite_sequence
                        SET seq = MAX(seq, IFNULL((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
                        WHERE name = 'events_rebuilt';
                    DROP TABLE events;
                    ALTER TABLE events_rebuilt RENAME TO events;
                    CREATE INDEX events_by_account ON events (account, region, seq);
                    UPDATE journal_identity SET id = lower(hex(randomblob(16)));
                    CREATE TABLE read_segments (file TEXT PRIMARY KEY, last_event TEXT NOT NULL) WITHOUT ROWID;
                    """)
        }
        // A table WITHOUT ROWID keeps whole rows in its interior pages as well: documents of
        // ~700 bytes left four or five to an interior page (1,258 interior pages over 6,033
        // leaves after 28,000 clusters), so a new document split interior pages as well. Rows
        // by rowid, found through an index of their keys alone, take the new ones at the end.
        migrator.registerMigration("documents-by-rowid") { db in
            try db.execute(
                sql: """
                    CREATE TABLE documents_by_rowid (
                        kind TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL
                    );
                    INSERT INTO documents_by_rowid (kind, scope, id, body)
                        SELECT kind, scope, id, body FROM documents ORDER BY kind, scope, id;
                    DROP TABLE documents;
                    ALTER TABLE documents_by_rowid RENAME TO documents;
                    CREATE UNIQUE INDEX documents_by_key ON documents (kind, scope, id);
                    """)
        }
        return migrator
    }

    package func read<T: Sendable>(_ body: @escaping @Sendable (any StateReader) throws -> T) async throws -> T {
        do {
            // Read before the transaction starts, so its snapshot is no older than this state.
            let generation = documents.generation
            return try await writer.read { db in
                try body(
                    SQLiteTransaction(
                        db: db, documents: documents, snapshotGeneration: generation, journalIndexed: true))
            }
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }

    package func readHere<T>(keptFirst: Bool, _ body: (any StateReader) throws -> T) throws -> T {
        if keptFirst {
            let kept = KeptOnlyReader(snapshotGeneration: documents.generation)
            do {
                let value = try body(kept)
                if !kept.flag.neededRow { return value }
            } catch {
                if !kept.flag.neededRow { throw error }
            }
        }
        readTransactions.add(1, ordering: .relaxed)
        do {
            // Read before the transaction starts, so its snapshot is no older than this state.
            let generation = documents.generation
            guard let requestReaders else {
                return try writer.read { db in
                    try body(
                        SQLiteTransaction(
                            db: db, documents: documents, snapshotGeneration: generation, journalIndexed: true))
                }
            }
            return try requestReaders.read { db in
                try body(
                    SQLiteTransaction(
                        db: db, documents: documents, snapshotGeneration: generation, journalIndexed: true))
            }
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }

    package func write<T: Sendable>(
        _ durability: Durability, _ body: @escaping @Sendable (any StateWriter) throws -> T
    ) async throws -> T {
        do {
            return try await group.write(durability, body)
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }
}
