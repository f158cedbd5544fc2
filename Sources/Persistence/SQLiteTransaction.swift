import Foundation
import GRDB
import Synchronization

/// One SQLite transaction (or savepoint) seen through the store protocols.
/// Statements are prepared once per connection (`cachedStatement`): compiling an insert that
/// feeds ten indexes costs more than running it.
struct SQLiteTransaction: StateWriter {
    let db: Database
    let documents: DocumentCache
    /// Where `whenFinished` actions wait for the outcome; nil in read transactions.
    var finishing: FinishActions? = nil
    /// In a read transaction, the document generation read before its first statement (its
    /// snapshot is no older): pages listed here are kept and reused by it. Nil in writes, whose
    /// uncommitted changes no other transaction may see.
    var snapshotGeneration: Int? = nil
    /// Whether the connection has the journal's attribute index attached (``JournalIndex``); a
    /// lookup without it walks the journal.
    var journalIndexed = false
    /// Where a group's writes hold their journal entries until the group's end (``HeldEvents``);
    /// nil: an entry is inserted when appended.
    var held: HeldEvents? = nil

    func whenFinished(_ action: @escaping @Sendable (Bool) -> Void) {
        finishing?.add(action)
    }

    func get<T: Decodable>(_ type: T.Type, kind: String, scope: String, id: String) throws -> T? {
        try db.cachedStatement(sql: Self.documentByKey).firstBlob(kind, scope, id) { body in
            try documents.decode(T.self, kind: kind, scope: scope, id: id, from: body, with: JSONDecoder())
        }
    }

    /// Run only through ``Statement/firstBlob(_:body:)`` and ``Statement/runOnce(_:)`` (GRDB does
    /// not track their bindings).
    private static let documentByKey = "SELECT body FROM documents WHERE kind = ? AND scope = ? AND id = ? -- direct"
    private static let documentInsert =
        "INSERT INTO documents (kind, scope, id, body) VALUES (?, ?, ?, ?) ON CONFLICT (kind, scope, id) DO NOTHING -- direct"
    private static let documentPut =
        """
        INSERT INTO documents (kind, scope, id, body) VALUES (?, ?, ?, ?)
            ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body -- direct
        """

    /// The documents `rows` hold — (id, body) in `scope`, or (scope, id, body) when it is nil —
    /// read in place: a cached body is compared where SQLite keeps it, not copied out first.
    private func decoded<T: Decodable>(_ type: T.Type, kind: String, scope: String?, _ rows: RowCursor) throws -> [T] {
        var values: [T] = []
        let first = scope == nil ? 1 : 0
        while let row = try rows.next() {
            let rowScope: String = scope ?? row[0]
            let id: String = row[first]
            values.append(
                try row.withUnsafeData(atIndex: first + 1) { body in
                    try documents.decode(
                        T.self, kind: kind, scope: rowScope, id: id, from: body ?? Data(), with: JSONDecoder())
                })
        }
        return values
    }

    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String) throws -> [T] {
        let rows = try Row.fetchCursor(
            try db.cachedStatement(sql: "SELECT id, body FROM documents WHERE kind = ? AND scope = ? ORDER BY id"),
            arguments: [kind, scope])
        return try decoded(T.self, kind: kind, scope: scope, rows)
    }

    func listAll<T: Decodable>(_ type: T.Type, kind: String) throws -> [T] {
        let rows = try Row.fetchCursor(
            try db.cachedStatement(sql: "SELECT scope, id, body FROM documents WHERE kind = ? ORDER BY scope, id"),
            arguments: [kind])
        return try decoded(T.self, kind: kind, scope: nil, rows)
    }

    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String, after: String?, limit: Int) throws -> [T] {
        let read = {
            let rows = try Row.fetchCursor(
                try db.cachedStatement(
                    sql: "SELECT id, body FROM documents WHERE kind = ? AND scope = ? AND id > ? ORDER BY id LIMIT ?"),
                arguments: [kind, scope, after ?? "", limit])
            return try decoded(T.self, kind: kind, scope: scope, rows)
        }
        guard let snapshotGeneration else { return try read() }
        return try documents.page(
            T.self, kind: kind, scope: scope, after: after, limit: limit, generation: snapshotGeneration, read: read)
    }

    func put<T: Encodable>(_ value: T, kind: String, scope: String, id: String) throws {
        let body = try DocumentEncoder.encode(value)
        try put(body: body, kind: kind, scope: scope, id: id)
        documents.keep(value, as: T.self, kind: kind, scope: scope, id: id, body: body)
    }

    func put(body: Data, kind: String, scope: String, id: String) throws {
        documents.noteChange(kind: kind)
        try db.cachedStatement(sql: Self.documentPut).runOnce { bind in
            bind.text(kind)
            bind.text(scope)
            bind.text(id)
            bind.blob(body)
        }
    }

    func putNew(body: Data, kind: String, scope: String, id: String) throws -> Bool {
        let statement = try db.cachedStatement(sql: Self.documentInsert)
        try statement.runOnce { bind in
            bind.text(kind)
            bind.text(scope)
            bind.text(id)
            bind.blob(body)
        }
        guard db.changesCount > 0 else { return false }
        documents.noteChange(kind: kind)
        return true
    }

    func contains(kind: String, scope: String, id: String) throws -> Bool {
        try Bool.fetchOne(
            try db.cachedStatement(sql: "SELECT 1 FROM documents WHERE kind = ? AND scope = ? AND id = ?"),
            arguments: [kind, scope, id]) ?? false
    }

    func fingerprint(_ read: DocumentRead) throws -> Int {
        let columns = "SELECT scope, id, body FROM documents WHERE kind = ?"
        let rows: RowCursor
        switch read {
        case .document(let kind, let scope, let id):
            rows = try Row.fetchCursor(
                try db.cachedStatement(sql: "\(columns) AND scope = ? AND id = ?"), arguments: [kind, scope, id])
        case .scope(let kind, let scope):
            rows = try Row.fetchCursor(
                try db.cachedStatement(sql: "\(columns) AND scope = ? ORDER BY id"), arguments: [kind, scope])
        case .kind(let kind):
            rows = try Row.fetchCursor(try db.cachedStatement(sql: "\(columns) ORDER BY scope, id"), arguments: [kind])
        case .page(let kind, let scope, let after, let limit):
            rows = try Row.fetchCursor(
                try db.cachedStatement(sql: "\(columns) AND scope = ? AND id > ? ORDER BY id LIMIT ?"),
                arguments: [kind, scope, after ?? "", limit])
        }
        var hasher = Hasher()
        var count = 0
        while let row = try rows.next() {
            hasher.combine(row[0] as String)
            hasher.combine(row[1] as String)
            hasher.combine(row[2] as Data)
            count += 1
        }
        hasher.combine(count)
        return hasher.finalize()
    }

    func appendEvent(_ entry: JournalEntry) throws -> Int64 {
        if let held { return try held.append(entry, in: db) }
        return try Self.insert(entry, into: db)
    }

    func events(_ query: JournalQuery) throws -> [(position: Int64, entry: JournalEntry)] {
        try held?.insert(into: db)
        guard journalIndexed else { return try walk(query, after: nil, upTo: nil, limit: query.limit) }
        // Events after the indexed position are in the journal's tail only; all before it
        // (in this snapshot) are in the index, which is older than the tail.
        let indexed = try Int64.fetchOne(try db.cachedStatement(sql: JournalIndex.indexedPosition)) ?? 0
        var found = try walk(query, after: indexed, upTo: nil, limit: query.limit)
        guard found.count < query.limit,
            let span = try JournalIndex.positions(
                from: query.start, to: query.end, upTo: min(indexed, (query.before ?? Int64.max) - 1), in: db)
        else { return found }
        guard let (attribute, value) = query.attribute, let code = JournalIndex.code(attribute) else {
            // Every management event is keyed by its ReadOnly value, so the two keys' blocks hold
            // them all. Each such block is walked from its oldest to its newest management event:
            // where they are most of the journal that is one walk in order a block, and the data
            // events between them (S3 object events a trail's selectors journal, possibly
            // thousands a management event) are read only inside a block that has some.
            let keys = [true, false].map { readOnly in
                AttributeKey.key(
                    account: query.account, region: query.region, attribute: JournalIndex.readOnlyCode,
                    value: JournalQuery.Attribute.readOnly.keyedText(String(readOnly)))
            }
            try JournalIndex.blocks(keys: keys, upTo: span.upperBound, in: db) { block, bits in
                guard let held = bits.span(inBlock: block) else { return true }
                let lower = max(held.lowerBound, span.lowerBound)
                let upper = min(held.upperBound, span.upperBound)
                // A block at the span's edge may hold its events beyond it: newer, go on; older, stop.
                guard lower <= upper else { return held.lowerBound > span.upperBound }
                found += try walk(query, after: lower - 1, upTo: upper, limit: query.limit - found.count)
                return found.count < query.limit && lower > span.lowerBound
            }
            return found
        }
        // Values that share the key are told apart by the event's own columns.
        var sql = """
            SELECT \(Self.entryColumns) FROM events
            WHERE seq = ? AND account = ? AND region = ? AND \(attribute.rawValue) = ?
            """
        var filters: StatementArguments = [query.account, query.region, attribute.columnValue(value)]
        Self.timeFilters(query, column: "event_time", sql: &sql, arguments: &filters)
        let event = try db.cachedStatement(sql: sql)
        let key = AttributeKey.key(
            account: query.account, region: query.region, attribute: code, value: attribute.keyedText(value))
        try JournalIndex.positions(key: key, upTo: span.upperBound, in: db) { seq in
            guard seq >= span.lowerBound else { return false }
            if let row = try Row.fetchOne(event, arguments: [seq] + filters) { found.append(Self.entry(row)) }
            return found.count < query.limit
        }
        return found
    }

    /// `query` answered by walking the account's events in the region newest first: only those
    /// after `after` and at most `upTo` when given, filtering each, at most `limit`.
    private func walk(_ query: JournalQuery, after: Int64?, upTo: Int64?, limit: Int) throws
        -> [(position: Int64, entry: JournalEntry)]
    {
        var sql =
            "SELECT \(Self.entryColumns) FROM events WHERE account = ? AND region = ? AND seq < ? AND management = 1"
        var arguments: StatementArguments = [
            query.account, query.region, min(query.before ?? Int64.max, upTo.map { $0 + 1 } ?? Int64.max),
        ]
        if let after {
            sql += " AND seq > ?"
            _ = arguments.append(contentsOf: [after])
        }
        if let (attribute, value) = query.attribute {
            sql += " AND \(attribute.rawValue) = ?"
            _ = arguments.append(contentsOf: [attribute.columnValue(value)])
        }
        Self.timeFilters(query, column: "event_time", sql: &sql, arguments: &arguments)
        sql += " ORDER BY seq DESC LIMIT ?"
        _ = arguments.append(contentsOf: [limit])
        return try Array(Row.fetchCursor(try db.cachedStatement(sql: sql), arguments: arguments).map(Self.entry))
    }

    private static func timeFilters(
        _ query: JournalQuery, column: String, sql: inout String, arguments: inout StatementArguments
    ) {
        if let start = query.start {
            sql += " AND \(column) >= ?"
            _ = arguments.append(contentsOf: [start.timeIntervalSince1970])
        }
        if let end = query.end {
            sql += " AND \(column) <= ?"
            _ = arguments.append(contentsOf: [end.timeIntervalSince1970])
        }
    }

    func latestPosition() throws -> Int64 {
        if let newest = held?.newestHeld { return newest }
        return try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM events")) ?? 0
    }

    func pending(account: String, region: String, after: Int64, upTo: Int64?, limit: Int) throws
        -> [(position: Int64, entry: JournalEntry)]
    {
        try held?.insert(into: db)
        return try Array(
            Row.fetchCursor(
                try db.cachedStatement(
                    sql: """
                        SELECT \(Self.entryColumns) FROM events
                        WHERE account = ? AND region = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?
                        """),
                arguments: [account, region, after, upTo ?? Int64.max, limit]
            ).map(Self.entry))
    }

    /// The regions with events after `after`: one index seek per region of the account (a
    /// loose scan of `events_by_account`), not a walk over the account's events.
    func regions(account: String, after: Int64) throws -> [String] {
        try held?.insert(into: db)
        return try String.fetchAll(
            try db.cachedStatement(
                sql: """
                    WITH RECURSIVE present(region) AS (
                        SELECT ''
                        UNION ALL
                        SELECT (SELECT MIN(region) FROM events WHERE account = ?1 AND region > present.region)
                        FROM present WHERE present.region IS NOT NULL
                    )
                    SELECT region FROM present WHERE region IS NOT NULL AND region != ''
                        AND EXISTS (SELECT 1 FROM events WHERE account = ?1 AND region = present.region AND seq > ?2)
                    """),
            arguments: [account, after])
    }

    /// The columns `entry` reads, by position: named lookups (`row["seq"]`) compare names
    /// case-insensitively on every access, which dominated reading a delivery batch.
    static let entryColumns = [
        "seq", "event_id", "account", "region", "event_time", "event_name", "event_source", "read_only",
        "username", "access_key_id", "record", "management", "resource_arn", "resource_type", "resource_name",
    ].joined(separator: ", ")

    static func entry(_ row: Row) -> (position: Int64, entry: JournalEntry) {
        (
            position: row[0],
            entry: JournalEntry(
                eventID: row[1], account: row[2], region: row[3], eventTime: Date(timeIntervalSince1970: row[4]),
                eventName: row[5], eventSource: row[6], readOnly: row[7], username: row[8], accessKeyId: row[9],
                record: row[10], management: row[11], resourceArn: row[12], resourceType: row[13],
                resourceName: row[14])
        )
    }

    func delete(kind: String, scope: String, id: String) throws -> Bool {
        documents.noteChange(kind: kind)
        try db.cachedStatement(sql: "DELETE FROM documents WHERE kind = ? AND scope = ? AND id = ?")
            .execute(arguments: [kind, scope, id])
        return db.changesCount > 0
    }
}

/// The `whenFinished` actions of one write, run once its outcome is known.
final class FinishActions: Sendable {
    private let actions = Mutex<[@Sendable (Bool) -> Void]>([])

    func add(_ action: @escaping @Sendable (Bool) -> Void) {
        actions.withLock { $0.append(action) }
    }

    func run(committed: Bool) {
        let pending = actions.withLock { list in
            let taken = list
            list = []
            return taken
        }
        for action in pending { action(committed) }
    }
}

extension JournalQuery.Attribute {
    /// A lookup's `value` as this attribute's column holds it: ReadOnly's `true` (in any case)
    /// as 1, anything else as 0.
    func columnValue(_ value: String) -> any DatabaseValueConvertible {
        self == .readOnly ? value.lowercased() == "true" : value
    }

    /// A lookup's `value` as the journal index keys it: ``columnValue(_:)``'s text as SQLite gives
    /// it to the indexer (ReadOnly's 1 as `1`).
    func keyedText(_ value: String) -> String {
        guard self == .readOnly else { return value }
        return columnValue(value) as? Bool == true ? "1" : "0"
    }
}
