import GRDB
import Synchronization

/// Read-only connections for the short reads of the request path, used on the calling thread.
///
/// Not the pool's readers: GRDB's async reads hold a pool reader across an `await`, so a
/// cooperative thread blocked waiting for one could wait for a task that needs that very
/// thread. A connection here is never held across a suspension: taken, used, given back.
final class RequestReaders: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])

    init(path: String, configuration: Configuration) {
        self.path = path
        var configuration = configuration
        configuration.readonly = true
        self.configuration = configuration
    }

    /// Runs `body` in a read transaction of an idle connection (a new one when none is idle:
    /// at most one per thread that reads at once). The transaction begins and ends through
    /// prepared statements kept by the connection: GRDB's `read` parses its BEGIN and COMMIT
    /// each time (~3 % of a DescribeCacheClusters' CPU at 64 connections).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
        var ended = false
        defer { if ended { idle.withLock { $0.append(connection) } } }
        return try connection.inDatabase { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            defer {
                // An error may have ended the transaction already; a connection left inside one
                // (its snapshot kept) is not used again.
                if db.isInsideTransaction { try? db.cachedStatement(sql: "COMMIT TRANSACTION").execute() }
                if db.isInsideTransaction { try? db.rollback() }
                ended = !db.isInsideTransaction
            }
            return try body(db)
        }
    }
}
