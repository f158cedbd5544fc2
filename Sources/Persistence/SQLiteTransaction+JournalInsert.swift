import Foundation
import GRDB

/// Journal rows inserted through SQLite's own calls (``Statement/runOnce(_:)``), their texts
/// bound in place from one buffer (``TextArena``).
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
        return try insert(CollectionOfOne(entry), with: db.cachedStatement(sql: insertOne), texts: &texts)
    }

    /// Inserts `entries` into the journal in order (the rows of one statement take positions in
    /// the order of its values), each statement found once (finding one hashes its text: ~1,800
    /// instructions an event for a drain of read events) and their texts in one buffer.
    static func insert(_ entries: [JournalEntry], into db: Database) throws {
        var rest = entries[...]
        var texts = TextArena()
        if rest.count >= rowsAStatement {
            let many = try db.cachedStatement(sql: insertMany)
            while rest.count >= rowsAStatement {
                try insert(rest.prefix(rowsAStatement), with: many, texts: &texts)
                rest = rest.dropFirst(rowsAStatement)
            }
        }
        guard !rest.isEmpty else { return }
        let one = try db.cachedStatement(sql: insertOne)
        for entry in rest { try insert(CollectionOfOne(entry), with: one, texts: &texts) }
    }

    /// Where one row's texts are in the buffer.
    private struct RowTexts {
        let id, account, region, name, source, username, accessKeyId, record, resourceArn, resourceType,
            resourceName: TextArena.Mark?

        init(_ entry: JournalEntry, in texts: inout TextArena) {
            id = texts.add(entry.eventID)
            account = texts.add(entry.account)
            region = texts.add(entry.region)
            name = texts.add(entry.eventName)
            source = texts.add(entry.eventSource)
            username = texts.add(entry.username)
            accessKeyId = texts.add(entry.accessKeyId)
            record = texts.add(entry.record)
            resourceArn = texts.add(entry.resourceArn)
            resourceType = texts.add(entry.resourceType)
            resourceName = texts.add(entry.resourceName)
        }
    }

    /// Runs `statement` (as many rows as `entries` holds) once; answers the last row's position.
    @discardableResult
    private static func insert<Entries: Collection<JournalEntry>>(
        _ entries: Entries, with statement: Statement, texts: inout TextArena
    ) throws -> Int64 {
        texts.clear()
        // Marks are offsets: the buffer may move while it fills, not while it is bound.
        let marks = entries.map { RowTexts($0, in: &texts) }
        return try texts.bytes.withUnsafeBufferPointer { bytes in
            try statement.runOnce { bind in
                for (entry, texts) in zip(entries, marks) {
                    bind.text(texts.id, in: bytes)
                    bind.text(texts.account, in: bytes)
                    bind.text(texts.region, in: bytes)
                    bind.real(entry.eventTime.timeIntervalSince1970)
                    bind.text(texts.name, in: bytes)
                    bind.text(texts.source, in: bytes)
                    bind.integer(entry.readOnly)
                    bind.text(texts.username, in: bytes)
                    bind.text(texts.accessKeyId, in: bytes)
                    bind.text(texts.record, in: bytes)
                    bind.integer(entry.management)
                    bind.text(texts.resourceArn, in: bytes)
                    bind.text(texts.resourceType, in: bytes)
                    bind.text(texts.resourceName, in: bytes)
                }
            }
        }
    }
}
