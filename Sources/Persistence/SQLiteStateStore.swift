import Foundation
import GRDB

/// The embedded state store: one SQLite file in the data directory (WAL mode, so the
/// `account create` command can write while the server runs).
public final class SQLiteStateStore: StateStore {
    private let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`; nil `path` keeps it in memory.
    public init(path: String?) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        if let path {
            writer = try DatabasePool(path: path, configuration: configuration)
        } else {
            writer = try DatabaseQueue(configuration: configuration)
        }
        try Self.migrator.migrate(writer)
    }

    private static var migrator: DatabaseMigrator {
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
        return migrator
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StateReader) throws -> T) async throws -> T {
        do {
            return try await writer.read { db in try body(Transaction(db: db)) }
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StateWriter) throws -> T) async throws -> T {
        do {
            return try await writer.write { db in try body(Transaction(db: db)) }
        } catch let error as DatabaseError {
            throw StateStoreError.unavailable(error.description)
        }
    }

    private struct Transaction: StateWriter {
        let db: Database

        func get<T: Decodable>(_ type: T.Type, kind: String, scope: String, id: String) throws -> T? {
            guard
                let data = try Data.fetchOne(
                    db, sql: "SELECT body FROM documents WHERE kind = ? AND scope = ? AND id = ?",
                    arguments: [kind, scope, id])
            else { return nil }
            return try JSONDecoder().decode(T.self, from: data)
        }

        func list<T: Decodable>(_ type: T.Type, kind: String, scope: String) throws -> [T] {
            let rows = try Data.fetchAll(
                db, sql: "SELECT body FROM documents WHERE kind = ? AND scope = ? ORDER BY id",
                arguments: [kind, scope])
            let decoder = JSONDecoder()
            return try rows.map { try decoder.decode(T.self, from: $0) }
        }

        func list<T: Decodable>(_ type: T.Type, kind: String, scope: String, after: String?, limit: Int) throws -> [T] {
            let rows = try Data.fetchAll(
                db, sql: "SELECT body FROM documents WHERE kind = ? AND scope = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [kind, scope, after ?? "", limit])
            let decoder = JSONDecoder()
            return try rows.map { try decoder.decode(T.self, from: $0) }
        }

        func put<T: Encodable>(_ value: T, kind: String, scope: String, id: String) throws {
            let data = try JSONEncoder().encode(value)
            try db.execute(
                sql: "INSERT OR REPLACE INTO documents (kind, scope, id, body) VALUES (?, ?, ?, ?)",
                arguments: [kind, scope, id, data])
        }

        func appendEvent(_ entry: JournalEntry) throws -> Int64 {
            try db.execute(
                sql: """
                    INSERT INTO events (event_id, account, region, event_time, event_name, event_source, read_only,
                        username, access_key_id, record, management, resource_arn, resource_type, resource_name)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.eventID, entry.account, entry.region, entry.eventTime.timeIntervalSince1970, entry.eventName,
                    entry.eventSource, entry.readOnly, entry.username, entry.accessKeyId, entry.record,
                    entry.management,
                    entry.resourceArn, entry.resourceType, entry.resourceName,
                ])
            return db.lastInsertedRowID
        }

        func events(_ query: JournalQuery) throws -> [(position: Int64, entry: JournalEntry)] {
            var sql = "SELECT * FROM events WHERE account = ? AND region = ? AND seq < ? AND management = 1"
            var arguments: StatementArguments = [query.account, query.region, query.before ?? Int64.max]
            if let (attribute, value) = query.attribute {
                sql += " AND \(attribute.rawValue) = ?"
                if attribute == .readOnly {
                    _ = arguments.append(contentsOf: [value.lowercased() == "true"])
                } else {
                    _ = arguments.append(contentsOf: [value])
                }
            }
            if let start = query.start {
                sql += " AND event_time >= ?"
                _ = arguments.append(contentsOf: [start.timeIntervalSince1970])
            }
            if let end = query.end {
                sql += " AND event_time <= ?"
                _ = arguments.append(contentsOf: [end.timeIntervalSince1970])
            }
            sql += " ORDER BY seq DESC LIMIT ?"
            _ = arguments.append(contentsOf: [query.limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry)
        }

        func latestPosition() throws -> Int64 {
            try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0
        }

        func pending(account: String, region: String, after: Int64, upTo: Int64?, limit: Int) throws
            -> [(position: Int64, entry: JournalEntry)]
        {
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM events WHERE account = ? AND region = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?
                    """,
                arguments: [account, region, after, upTo ?? Int64.max, limit]
            ).map(Self.entry)
        }

        func regions(account: String, after: Int64) throws -> [String] {
            try String.fetchAll(
                db, sql: "SELECT DISTINCT region FROM events WHERE account = ? AND seq > ?",
                arguments: [account, after])
        }

        static func entry(_ row: Row) -> (position: Int64, entry: JournalEntry) {
            (
                position: row["seq"],
                entry: JournalEntry(
                    eventID: row["event_id"], account: row["account"], region: row["region"],
                    eventTime: Date(timeIntervalSince1970: row["event_time"]), eventName: row["event_name"],
                    eventSource: row["event_source"], readOnly: row["read_only"], username: row["username"],
                    accessKeyId: row["access_key_id"], record: row["record"], management: row["management"],
                    resourceArn: row["resource_arn"], resourceType: row["resource_type"],
                    resourceName: row["resource_name"])
            )
        }

        func delete(kind: String, scope: String, id: String) throws -> Bool {
            try db.execute(
                sql: "DELETE FROM documents WHERE kind = ? AND scope = ? AND id = ?", arguments: [kind, scope, id])
            return db.changesCount > 0
        }
    }
}
