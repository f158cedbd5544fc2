import Foundation
import GRDB

/// Journal rows inserted through SQLite's own calls (``Statement/runOnce(_:)``), their texts
/// bound in place from one buffer: a ``TextArena`` the entries are copied into, or the mapping
/// of the read-event segment that holds them (``ReadEventLog``).
extension SQLiteTransaction {
    /// Rows one statement inserts when a drain has that many: each INSERT statement opens its
    /// cursors, and reads and rewrites the table's AUTOINCREMENT counter, once. Counted with
    /// callgrind over 20,000 rows of 870-byte records (Python's sqlite3, the same SQLite):
    /// `sqlite3_step` 23,200 instructions a row one by one, 14,000 ten to a statement.
    static let rowsAStatement = 16

    private static let columns = """
        INSERT INTO events (event_id, account, region, event_time, event_name, event_source, read_only,
            username, access_key_id, record, management, resource_arn, resource_type, resource_name)
            VALUES
        """
    private static let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    /// Run only through ``Statement/runOnce(_:)`` (GRDB does not track their bindings).
    private static let insertOne = "\(columns) \(row) -- direct"
    private static let insertMany =
        "\(columns) \(Array(repeating: row, count: rowsAStatement).joined(separator: ", ")) -- direct"

    /// Inserts `entry` into the journal; answers its position.
    @discardableResult
    static func insert(_ entry: JournalEntry, into db: Database) throws -> Int64 {
        var texts = TextArena()
        let row = JournalRow(entry, in: &texts)
        return try texts.bytes.withUnsafeBufferPointer { bytes in
            try run(db.cachedStatement(sql: insertOne), CollectionOfOne(row), texts: bytes)
        }
    }

    /// Inserts `entries` into the journal in order (the rows of one statement take positions in
    /// the order of its values), each statement found once (finding one hashes its text: ~1,800
    /// instructions an event for a drain of read events) and their texts in one buffer.
    static func insert(_ entries: [JournalEntry], into db: Database) throws {
        var texts = TextArena()
        try forEachStatement(rows: entries.count, in: db) { range, statement in
            texts.clear()
            // Marks are offsets: the buffer may move while it fills, not while it is bound.
            let rows = entries[range].map { JournalRow($0, in: &texts) }
            _ = try texts.bytes.withUnsafeBufferPointer { try run(statement, rows, texts: $0) }
        }
    }

    /// Inserts `rows`, whose texts are in `texts`, into the journal in order.
    static func insert(_ rows: [JournalRow], texts: UnsafeBufferPointer<UInt8>, into db: Database) throws {
        try forEachStatement(rows: rows.count, in: db) { range, statement in
            try run(statement, rows[range], texts: texts)
        }
    }

    /// Hands `body` each run's range of rows and its statement: sixteen rows a run while that
    /// many are left, then one.
    private static func forEachStatement(
        rows count: Int, in db: Database, _ body: (Range<Int>, Statement) throws -> Void
    ) throws {
        var start = 0
        if count >= rowsAStatement {
            let many = try db.cachedStatement(sql: insertMany)
            while count - start >= rowsAStatement {
                try body(start..<(start + rowsAStatement), many)
                start += rowsAStatement
            }
        }
        guard start < count else { return }
        let one = try db.cachedStatement(sql: insertOne)
        for index in start..<count { try body(index..<(index + 1), one) }
    }

    /// Runs `statement` (as many rows as `rows` holds) once; answers the last row's position.
    @discardableResult
    private static func run<Rows: Collection<JournalRow>>(
        _ statement: Statement, _ rows: Rows, texts: UnsafeBufferPointer<UInt8>
    ) throws -> Int64 {
        try statement.runOnce { bind in
            for row in rows {
                bind.text(row.id, in: texts)
                bind.text(row.account, in: texts)
                bind.text(row.region, in: texts)
                bind.real(row.eventTime)
                bind.text(row.name, in: texts)
                bind.text(row.source, in: texts)
                bind.integer(row.readOnly)
                bind.text(row.username, in: texts)
                bind.text(row.accessKeyId, in: texts)
                bind.text(row.record, in: texts)
                bind.integer(row.management)
                bind.text(row.resourceArn, in: texts)
                bind.text(row.resourceType, in: texts)
                bind.text(row.resourceName, in: texts)
            }
        }
    }
}

/// One journal row to insert: its numbers, and where its texts are in the buffer they are bound
/// from (nil for NULL).
struct JournalRow {
    var eventTime: Double
    var readOnly: Bool
    var management: Bool
    var id, account, region, name, source, record: TextArena.Mark?
    var username, accessKeyId, resourceArn, resourceType, resourceName: TextArena.Mark?
}

extension JournalRow {
    /// `entry`'s row, its texts copied into `texts`.
    init(_ entry: JournalEntry, in texts: inout TextArena) {
        eventTime = entry.eventTime.timeIntervalSince1970
        readOnly = entry.readOnly
        management = entry.management
        id = texts.add(entry.eventID)
        account = texts.add(entry.account)
        region = texts.add(entry.region)
        name = texts.add(entry.eventName)
        source = texts.add(entry.eventSource)
        record = texts.add(entry.record)
        username = texts.add(entry.username)
        accessKeyId = texts.add(entry.accessKeyId)
        resourceArn = texts.add(entry.resourceArn)
        resourceType = texts.add(entry.resourceType)
        resourceName = texts.add(entry.resourceName)
    }
}
