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
    /// at most one per thread that reads at once).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
        defer { idle.withLock { $0.append(connection) } }
        return try connection.read(body)
    }
}
