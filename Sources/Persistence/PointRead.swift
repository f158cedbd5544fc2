import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// A one-row lookup run on GRDB's prepared statement through SQLite's own calls. A document
/// read by key spent about 70 % of its time in GRDB's cursor, row and argument values around
/// SQLite's B-tree lookup (a row's column names are read and lowercased for every fetch); a
/// create makes three such reads on the single writer. Only for statements no GRDB API runs:
/// GRDB does not see these bindings.
extension Statement {
    /// Binds `texts` to the statement's parameters in order, steps once, and hands `body` the
    /// first column of the row found as bytes SQLite owns (valid only during `body`). Nil when
    /// no row matches.
    func firstBlob<T>(_ texts: String..., body: (Data) throws -> T) throws -> T? {
        let statement = sqliteStatement
        // The previous run's outcome was reported then; reset only rearms the statement.
        sqlite3_reset(statement)
        defer { sqlite3_reset(statement) }
        for (offset, text) in texts.enumerated() {
            try check(Self.bind(text, at: Int32(offset + 1), of: statement))
        }
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

    /// SQLite copies the text (`SQLITE_TRANSIENT`): the Swift string's bytes are only lent.
    private static func bind(_ text: String, at index: Int32, of statement: OpaquePointer) -> Int32 {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var text = text
        return text.withUTF8 { utf8 in
            // An empty buffer may have no address, which SQLite would bind as NULL.
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(statement, index, "", 0, transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(statement, index, $0, Int32(utf8.count), transient)
            }
        }
    }
}
