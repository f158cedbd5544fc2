import Dispatch
import Foundation
import GRDB
import Synchronization

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// Checkpoints of the state file's write-ahead log on a thread of their own, not in the
/// commit that crosses SQLite's threshold. SQLite's own policy (`wal_autocheckpoint`) copies
/// the log into the database file and fsyncs both inside that commit, on the writer: every
/// call waiting for the writer then waited for the checkpoint too — 50–280 ms on this project's
/// machine beside the journal index's own writes, one LookupEvents in ~2,000 (each flushes its
/// read events through the writer). Here the writer's connection carries a WAL hook: past
/// `backgroundFrames` it wakes this thread, which runs a passive checkpoint on its own
/// connection (it never blocks the writer or a reader); past `inlineFrames` — the thread
/// fell behind — the committing connection checkpoints itself as SQLite would have. The log
/// restarts from its beginning at the first write after a checkpoint that copied all of it.
final class Checkpointer: Sendable {
    /// The thread's name, as /proc/PID/task/*/comm shows it (within Linux's 15 bytes).
    static let threadName = "cachetrail-ckpt"

    private let connection: DatabaseQueue
    private let backgroundFrames: Int32
    private let inlineFrames: Int32
    private let asked = Atomic<Bool>(false)
    private let signal = DispatchSemaphore(value: 0)
    private let counts = Mutex(CheckpointCounts())

    /// Opens the checkpointer's own connection to the database at `path`. `backgroundFrames`
    /// nil: this thread never runs (the writer checkpoints at `inlineFrames`, as SQLite does).
    init(path: String, backgroundFrames: Int32?, inlineFrames: Int32) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.backgroundFrames = backgroundFrames ?? Int32.max
        self.inlineFrames = inlineFrames
        if backgroundFrames != nil { Self.startThread(for: self) }
    }

    var done: CheckpointCounts { counts.withLock { $0 } }

    /// Puts the hook on the writer's connection (it replaces `wal_autocheckpoint`'s). The
    /// checkpointer must outlive the hook: ``uninstall(from:)`` before it goes.
    func install(on db: Database) {
        sqlite3_wal_hook(
            db.sqliteConnection,
            { context, db, name, frames in
                guard let context else { return SQLITE_OK }
                return Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().committed(db, name, frames)
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    static func uninstall(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// After each commit of the hooked connection, with the frames now in its log.
    private func committed(_ db: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ frames: Int32) -> Int32 {
        if frames >= inlineFrames {
            // Busy (the thread is checkpointing) is no error: a later commit checkpoints again.
            _ = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            counts.withLock { $0.inline += 1 }
        } else if frames >= backgroundFrames,
            asked.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
        {
            signal.signal()
        }
        return SQLITE_OK
    }

    /// The thread: a passive checkpoint for each ask; it ends once its checkpointer is gone.
    private static func startThread(for checkpointer: Checkpointer) {
        OwnThreads.serve(checkpointer, named: threadName, wakes: checkpointer.signal) { current in
            current.asked.store(false, ordering: .relaxed)
            // A failed checkpoint (the file gone, the disk full) leaves the log to the next
            // ask, or to the writer's own checkpoint at `inlineFrames`.
            if let result = try? current.connection.writeWithoutTransaction({ try $0.checkpoint(.passive) }) {
                current.counts.withLock {
                    $0.background += 1
                    $0.backgroundFrames.log += result.walFrameCount
                    $0.backgroundFrames.copied += result.checkpointedFrameCount
                }
            }
        }
    }
}

/// What a store's checkpoints did since it opened.
package struct CheckpointCounts: Sendable {
    /// Passive checkpoints the checkpointer's thread ran, and the log frames they found and
    /// copied, summed over them (a run asked for while the last one ran may find the log
    /// restarted and short: only the sums say what the thread did).
    package var background = 0
    package var backgroundFrames: (log: Int, copied: Int) = (0, 0)
    /// Checkpoints the writer's commits ran themselves.
    package var inline = 0
}
