import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// Statements run on GRDB's prepared statement through SQLite's own calls, for the writer's
/// hottest work: a document read by key spent about 70 % of its time in GRDB's cursor, row and
/// argument values around SQLite's B-tree lookup (a row's column names are read and lowercased
/// for every fetch), and a journal row or document write a fifth of its time boxing arguments.
/// Only for statements no GRDB API runs (GRDB does not see these bindings), and only reads and
/// plain inserts: GRDB tracks transactions and savepoints from the statements it runs, and these
/// are neither. Every run resets the statement after it, so no step stays pending.
extension Statement {
    /// Binds `texts` to the statement's parameters in order, steps once, and hands `body` the
    /// first column of the row found as bytes SQLite owns (valid only during `body`). Nil when
    /// no row matches.
    func firstBlob<T>(_ texts: String..., body: (Data) throws -> T) throws -> T? {
        let statement = sqliteStatement
        // The previous run's outcome was reported then; reset only rearms the statement.
        sqlite3_reset(statement)
        defer { sqlite3_reset(statement) }
        var bindings = DirectBindings(statement: statement)
        for text in texts { try check(bindings.text(text)) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            try check(code == SQLITE_DONE ? SQLITE_OK : code)
            return nil
        }
        let count = Int(sqlite3_column_bytes(statement, 0))
        guard count > 0, let bytes = sqlite3_column_blob(statement, 0) else { return try body(Data()) }
        return try body(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes), count: count, deallocator: .none))
    }

    private func check(_ code: Int32) throws {
        guard code != SQLITE_OK else { return }
        let message = sqlite3_db_handle(sqliteStatement).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }

    /// Binds `integers` to the statement's parameters in order and hands `body` each row found,
    /// as the statement SQLite steps (its columns are valid only during `body`).
    func eachRow(_ integers: Int64..., body: (OpaquePointer) throws -> Void) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        defer { sqlite3_reset(statement) }
        var bindings = DirectBindings(statement: statement)
        for integer in integers { bindings.integer(integer) }
        try check(bindings.failure)
        while true {
            let code = sqlite3_step(statement)
            guard code == SQLITE_ROW else { return try check(code == SQLITE_DONE ? SQLITE_OK : code) }
            try body(statement)
        }
    }

    /// Binds values as `bind` gives them, in order, and runs the statement to its end (an
    /// insert); answers the last inserted row id.
    @discardableResult
    func runOnce(_ bind: (inout DirectBindings) -> Void) throws -> Int64 {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        var bindings = DirectBindings(statement: statement)
        defer {
            sqlite3_reset(statement)
            // Texts bound in place point into a buffer that lives only through this run.
            if bindings.lentInPlace { sqlite3_clear_bindings(statement) }
        }
        bind(&bindings)
        try check(bindings.failure)
        let code = sqlite3_step(statement)
        try check(code == SQLITE_DONE || code == SQLITE_ROW ? SQLITE_OK : code)
        return sqlite3_db_handle(statement).map { sqlite3_last_insert_rowid($0) } ?? 0
    }
}

/// Parameters bound one after another from the first; the first failing bind is kept (binding
/// fails only for a statement misused, which the run then reports).
struct DirectBindings {
    let statement: OpaquePointer
    private var next: Int32 = 1
    private(set) var failure = SQLITE_OK

    init(statement: OpaquePointer) {
        self.statement = statement
    }

    /// SQLite copies what it is given (`SQLITE_TRANSIENT`): Swift's bytes are only lent.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite reads the bytes where they are (`SQLITE_STATIC`), until the bindings are cleared.
    private static let inPlace = unsafeBitCast(0, to: sqlite3_destructor_type.self)
    /// Whether a text was bound in place (the run clears the bindings after it).
    private(set) var lentInPlace = false

    private mutating func record(_ code: Int32) {
        if failure == SQLITE_OK { failure = code }
        next += 1
    }

    /// Binds `text`; nil binds NULL.
    @discardableResult
    mutating func text(_ text: String?) -> Int32 {
        guard var text else { return null() }
        let (statement, index) = (statement, next)
        let code = text.withUTF8 { utf8 in
            // An empty buffer may have no address, which SQLite would bind as NULL.
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(statement, index, "", 0, Self.transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(statement, index, $0, Int32(utf8.count), Self.transient)
            }
        }
        record(code)
        return code
    }

    /// Binds the text `mark` places in `texts` without a copy; nil binds NULL. `texts` must stay
    /// as it is until the run ends.
    mutating func text(_ mark: TextArena.Mark?, in texts: UnsafeBufferPointer<UInt8>) {
        guard let mark else {
            _ = null()
            return
        }
        guard let base = texts.baseAddress else {
            record(sqlite3_bind_text(statement, next, "", 0, Self.transient))
            return
        }
        lentInPlace = true
        let start = UnsafeRawPointer(base + mark.offset).assumingMemoryBound(to: CChar.self)
        record(sqlite3_bind_text(statement, next, start, Int32(mark.count), Self.inPlace))
    }

    mutating func blob(_ data: Data) {
        let (statement, index) = (statement, next)
        record(
            data.withUnsafeBytes { bytes in
                // No address for no bytes would bind NULL: an empty blob is a zero-length one.
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_zeroblob(statement, index, 0)
                }
                return sqlite3_bind_blob(statement, index, base, Int32(bytes.count), Self.transient)
            })
    }

    mutating func real(_ value: Double) { record(sqlite3_bind_double(statement, next, value)) }

    mutating func integer(_ value: Int64) { record(sqlite3_bind_int64(statement, next, value)) }

    mutating func integer(_ value: Bool) { integer(value ? 1 : 0) }

    private mutating func null() -> Int32 {
        let code = sqlite3_bind_null(statement, next)
        record(code)
        return code
    }
}

/// Texts copied one after another into one buffer, to bind in place
/// (``DirectBindings/text(_:in:)``): SQLite copies each text it is lent into an allocation of
/// its own (`SQLITE_TRANSIENT`), eleven for a journal row. Cleared and filled again per row.
struct TextArena {
    /// Where one text is in the buffer.
    struct Mark {
        let offset: Int
        let count: Int
    }

    private(set) var bytes: [UInt8] = []

    mutating func clear() { bytes.removeAll(keepingCapacity: true) }

    /// Copies `text` in; nil (NULL) has no mark.
    mutating func add(_ text: String?) -> Mark? {
        guard var text else { return nil }
        let offset = bytes.count
        // Copied whole from the string's UTF-8, as ``ReadEventLog`` copies a payload's texts.
        text.withUTF8 { bytes.append(contentsOf: $0) }
        return Mark(offset: offset, count: bytes.count - offset)
    }
}
