import GRDB

/// The journal entries a group's writes append, held until their savepoints are behind them and
/// inserted together before the group commits (``GroupCommit``). Inserted inside a write's
/// savepoint, each row made SQLite copy every page it touched into the statement journal, and
/// one row a statement re-read the AUTOINCREMENT counter for each (callgrind: `appendEvent`
/// 44,009 instructions a create, of which 7.1 statement-journal page writes a create).
///
/// Positions are those the rows would have had inserted at once: read events first, then each
/// write's entries in group order. An append answers its position ahead (the journal's next
/// position plus the entries held before it). A journal read inside a write first inserts what
/// is held, so a write sees the entries appended before it; if that write then rolls back, the
/// earlier writes' entries it inserted are held again and inserted with the rest. Used on the
/// committer's thread only, one drain at a time.
final class HeldEvents {
    private var entries: [JournalEntry] = []
    /// How many of `entries` are inserted already (by a journal read inside a write).
    private var inserted = 0
    /// The journal's newest position (or AUTOINCREMENT counter) before the first held entry.
    private var base: Int64?
    /// Where the running write's entries begin, and how many were inserted when it began.
    private var writeStart = (entries: 0, inserted: 0)

    /// Holds `entry`; answers the position it will take.
    func append(_ entry: JournalEntry, in db: Database) throws -> Int64 {
        let start = try base ?? Self.newestPosition(db)
        base = start
        entries.append(entry)
        return start + Int64(entries.count)
    }

    /// The newest position once the held entries are inserted; nil when none is held.
    var newestHeld: Int64? {
        guard let base, !entries.isEmpty else { return nil }
        return base + Int64(entries.count)
    }

    /// Inserts the entries not yet inserted (in the current savepoint, if any).
    func insert(into db: Database) throws {
        guard inserted < entries.count else { return }
        try SQLiteTransaction.insert(Array(entries[inserted...]), into: db)
        inserted = entries.count
    }

    /// Marks the start of a write's savepoint.
    func beginWrite() {
        writeStart = (entries.count, inserted)
    }

    /// Ends the write begun last: rolled back, its own entries are dropped, and the earlier
    /// ones its savepoint had inserted are held again.
    func endWrite(rolledBack: Bool) {
        guard rolledBack else { return }
        entries.removeLast(entries.count - writeStart.entries)
        inserted = writeStart.inserted
    }

    /// The position before the next row's: AUTOINCREMENT never reuses one, even of a deleted row.
    private static func newestPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MAX(IFNULL((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                               IFNULL((SELECT MAX(seq) FROM events), 0))
                    """)) ?? 0
    }
}
