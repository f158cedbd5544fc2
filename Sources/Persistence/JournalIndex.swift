import Dispatch
import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Event history's attribute index, kept off the writer. LookupEvents finds management events
/// by name, user, source, access key, resource type, resource name, event id and whether they
/// are read-only through one integer key a value (``AttributeKey``): event ids in `idx.id_keys`,
/// a row an event, and the other values in `idx.value_blocks`, a row for each block of positions
/// a value occurs in (``key(after:upTo:in:)``); each block's event times bound a lookup's time
/// range (``BlockTimes``). This indexer fills them from the journal in batches, in a database
/// of its own (`journal-index.sqlite` beside the state file, attached as `idx`) and through a
/// connection of its own: maintaining the index is part of no call's commit, and runs beside the
/// writer rather than on it. Events the indexer has not reached yet (after `idx.progress.seq`)
/// are found by walking the journal's tail.
///
/// The index is derived data: it is not fsynced (a crash of the machine may lose its newest
/// batches, and `progress` with them), and it is rebuilt from the journal when it is missing, was
/// built from another journal (`journal_identity`) or is of an earlier format (text keys, a row
/// for every key of every event, blocks without ReadOnly's keys, or no block times).
final class JournalIndex: Sendable {
    /// The searchable attributes, numbered for their keys (``AttributeKey``): every lookup
    /// attribute of LookupEvents. ReadOnly is keyed by its column's text, `1` or `0`.
    static let attributes: [(JournalQuery.Attribute, Int)] = [
        (.eventName, 1), (.username, 2), (.eventSource, 3), (.accessKeyId, 4), (.resourceType, 5),
        (.resourceName, 6), (.eventId, eventIdCode), (.readOnly, readOnlyCode),
    ]

    static func code(_ attribute: JournalQuery.Attribute) -> Int? {
        attributes.first { $0.0 == attribute }?.1
    }

    /// The event id's number among ``attributes``.
    static let eventIdCode = 7
    /// ReadOnly's number among ``attributes``: its two keys are every management event's.
    static let readOnlyCode = 8

    /// Attaches the index at `path` (`:memory:` for an in-memory store) to `db` as `idx`.
    static func attach(_ db: Database, path: String) throws {
        try db.execute(sql: "ATTACH DATABASE ? AS idx", arguments: [path])
    }

    /// Events indexed per transaction.
    static let batch = 4_096

    /// The position up to which this journal's events are indexed (no row: none are).
    static let indexedPosition =
        "SELECT seq FROM idx.progress WHERE journal = (SELECT id FROM main.journal_identity)"

    /// A connection that reads `main.events` and writes `idx` (the store's own in memory).
    private let writer: any DatabaseWriter
    /// Whether a run is asked for and not begun, and whether the indexer's thread runs (started
    /// by the first ``wake()``).
    private let state = Mutex((scheduled: false, threadStarted: false))
    private let signal = DispatchSemaphore(value: 0)
    /// The indexer thread's nice value: it yields the cores to calls and delivery (a delivery
    /// pass of 925,000 events beside a catch-up of them took 10.5–13.6 s at the default, 7.7–8.0
    /// without the indexer), and still keeps up with a saturating create load.
    static let niceness: Int32 = 10
    /// The indexer thread's name, as /proc/PID/task/*/comm shows it: within Linux's 15 bytes
    /// (a longer one is refused, and the thread keeps its parent's name).
    static let threadName = "cachetrail-idx"
    /// How long after a commit the indexer runs (commits arriving meanwhile share the run);
    /// nil: only when ``catchUp()`` is called.
    private let delay: Duration?

    /// Tables of earlier formats still to drop (``earlierFormats``): the indexer's first run
    /// drops them, not the store's start (1M events' index of text keys took 3.6 s).
    private let earlierTables: Mutex<[String]>

    /// The index's tables of earlier formats: text keys, a row for every key of every event, and
    /// block rows without ReadOnly's keys.
    static let earlierFormats = ["event_keys", "attribute_keys", "attribute_blocks"]

    /// Creates the index's tables in `writer`'s `idx` (already attached) and empties them when
    /// they were built from another journal or an earlier format (whose tables are left for
    /// ``catchUp()`` to drop).
    init(writer: any DatabaseWriter, delay: Duration?) throws {
        self.writer = writer
        self.delay = delay
        earlierTables = Mutex(try writer.writeWithoutTransaction { db in try Self.createTables(db) })
    }

    /// Creates the tables in one transaction (a crash leaves the earlier index or this one with
    /// its progress); answers the tables of earlier formats that are there.
    private static func createTables(_ db: Database) throws -> [String] {
        var earlier: [String] = []
        try db.inTransaction(.deferred) {
            let tables = try String.fetchSet(db, sql: "SELECT name FROM idx.sqlite_master WHERE type = 'table'")
            earlier = earlierFormats.filter(tables.contains)
            // Block bits are integers: a word with no position set takes no byte of its row.
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS idx.id_keys (
                        key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS idx.value_blocks (
                        key INTEGER NOT NULL, block INTEGER NOT NULL,
                        b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, b2 INTEGER NOT NULL, b3 INTEGER NOT NULL,
                        PRIMARY KEY (key, block)
                    ) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS idx.block_times (
                        block INTEGER PRIMARY KEY, min_time REAL NOT NULL, max_time REAL NOT NULL,
                        running_max REAL NOT NULL
                    );
                    CREATE INDEX IF NOT EXISTS idx.block_times_by_running_max ON block_times (running_max, block);
                    CREATE TABLE IF NOT EXISTS idx.progress (journal TEXT NOT NULL, seq INTEGER NOT NULL);
                    """)
            let journal = try String.fetchOne(db, sql: "SELECT id FROM main.journal_identity") ?? ""
            let built = try String.fetchOne(db, sql: "SELECT journal FROM idx.progress")
            if built != journal || !tables.contains("value_blocks") || !tables.contains("block_times") {
                try db.execute(
                    sql: """
                        DELETE FROM idx.id_keys; DELETE FROM idx.value_blocks; DELETE FROM idx.block_times;
                        DELETE FROM idx.progress
                        """)
                try db.execute(sql: "INSERT INTO idx.progress (journal, seq) VALUES (?, 0)", arguments: [journal])
            }
            return .commit
        }
        return earlier
    }

    /// Asks for a run after the configured delay (one run answers every request made before it starts).
    func wake() {
        guard let delay else { return }
        let (starts, startsThread) = state.withLock { state in
            if state.scheduled { return (false, false) }
            state.scheduled = true
            defer { state.threadStarted = true }
            return (true, !state.threadStarted)
        }
        guard starts else { return }
        if startsThread { Self.startThread(for: self, delay: delay) }
        signal.signal()
    }

    /// The indexer's own thread (niced, so not a pooled one): a run `delay` after each wake; it
    /// ends once its index is gone.
    private static func startThread(for index: JournalIndex, delay: Duration) {
        let (seconds, attoseconds) = delay.components
        let pause = Double(seconds) + Double(attoseconds) / 1e18
        OwnThreads.serve(index, named: threadName, priority: .niced(niceness), wakes: index.signal) { current in
            Thread.sleep(forTimeInterval: pause)
            current.state.withLock { $0.scheduled = false }
            // A batch that could not be written (another process's indexer held the index)
            // is tried again with the next commit's run.
            _ = try? current.catchUp()
        }
    }

    /// Indexes every event committed so far; returns how many were indexed.
    @discardableResult
    func catchUp() throws -> Int {
        let earlier = earlierTables.withLock { $0 }
        if !earlier.isEmpty {
            try writer.writeWithoutTransaction { db in
                for table in earlier { try db.execute(sql: "DROP TABLE IF EXISTS idx.\(table)") }
                // The dropped tables' pages would stay in the file, free (many times what the
                // new keys take). Nothing is indexed yet, so rewriting the file costs little;
                // the checkpoint shortens it once no reader holds the log.
                try db.execute(sql: "VACUUM idx")
                try db.execute(sql: "PRAGMA idx.wal_checkpoint(PASSIVE)")
            }
            earlierTables.withLock { $0 = [] }
        }
        var total = 0
        while true {
            let indexed = try indexBatch()
            total += indexed
            if indexed == 0 { return total }
        }
    }

    /// Committed events not indexed yet.
    func lag() throws -> Int64 {
        try writer.read { db in
            let newest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM main.events") ?? 0
            let done = try Int64.fetchOne(db, sql: Self.indexedPosition) ?? 0
            return max(0, newest - done)
        }
    }

    /// Indexes the next batch of events after `progress` in one transaction (deferred: only
    /// `idx` is written, so the journal's writer is never locked out); returns the events read.
    private func indexBatch() throws -> Int {
        var count = 0
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.deferred) {
                // Every statement prepared once: compiling three for each run (then every 20 ms under
                // load) was 15 % of the indexer's time at 64 connections of creates.
                guard let done = try Int64.fetchOne(db.cachedStatement(sql: Self.indexedPosition)),
                    let newest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM main.events")),
                    newest > done
                else { return .commit }
                let upTo = min(newest, done + Int64(Self.batch))
                try Self.key(after: done, upTo: upTo, in: db)
                try db.cachedStatement(sql: "UPDATE idx.progress SET seq = ?").execute(arguments: [upTo])
                count = Int(upTo - done)
                return .commit
            }
        }
        return count
    }
}
