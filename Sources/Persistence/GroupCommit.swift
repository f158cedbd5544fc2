import Dispatch
import GRDB
import Synchronization

/// Group commit: writes that arrive while a transaction commits wait, then run together in the
/// next transaction, each inside its own savepoint, and share one commit — one fsync of the
/// write-ahead log for the whole group. A write whose body throws rolls back to its savepoint
/// alone; a commit that fails fails every write of its group. No write hears back before the
/// commit of its group has returned. A group of journaled writes only commits without the
/// fsync (`synchronous = NORMAL` in WAL mode); one synced write makes its whole group synced.
/// Each group's transaction first takes the read events waiting in `reads` (``ReadEventLog``),
/// so they commit before the group's own writes, whose journal entries are inserted after the
/// last write's savepoint (``HeldEvents``).
final class GroupCommit: Sendable {
    private struct Job: Sendable {
        /// Runs the body inside a savepoint of the group's transaction and keeps its outcome;
        /// its journal entries join the group's held ones.
        let run: @Sendable (Database, HeldEvents) -> Void
        /// Resumes the caller: with the kept outcome, or with the commit's error.
        let finish: @Sendable ((any Error)?) -> Void
        let durability: Durability
    }

    private struct Queue {
        var jobs: [Job] = []
        var draining = false
    }

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())
    private let maxGroup: Int
    private let commits = Atomic<Int>(0)
    private let writes = Atomic<Int>(0)
    private let synced = Atomic<Int>(0)
    /// Whether the connection fsyncs at commit (`synchronous = FULL`); only the drain changes it.
    private let syncing = Atomic<Bool>(true)

    private let documents: DocumentCache
    private let reads: ReadEventLog
    /// Where groups are committed, one after another, with GRDB's blocking write: it runs on
    /// this queue's own thread (the writer's queue is idle), so a call's write is one hop from
    /// its event loop and one back — not a task on the cooperative pool awaiting GRDB's queue.
    /// A thread blocked in fsync here holds none of the cooperative pool's. It runs at the QoS of
    /// GRDB's own queue, so the writer keeps its priority over the event loops (at the default,
    /// creates at 64 connections measured fewer).
    private let committer = DispatchQueue(label: "cachetrail.group-commit", qos: .userInitiated)

    private let journalIndex: JournalIndex
    /// Whether the writer's connection has the journal index attached (in memory only).
    private let journalIndexed: Bool

    init(
        writer: any DatabaseWriter, documents: DocumentCache, reads: ReadEventLog, journalIndex: JournalIndex,
        journalIndexed: Bool, maxGroup: Int = 512
    ) {
        self.writer = writer
        self.documents = documents
        self.reads = reads
        self.journalIndex = journalIndex
        self.journalIndexed = journalIndexed
        self.maxGroup = maxGroup
    }

    /// Transactions committed, writes carried by them, and commits that were fsynced, since start.
    var counts: (commits: Int, writes: Int, synced: Int) {
        (commits.load(ordering: .relaxed), writes.load(ordering: .relaxed), synced.load(ordering: .relaxed))
    }

    /// Writes waiting for the next group.
    var waiting: Int { queue.withLock { $0.jobs.count } }

    func write<T: Sendable>(
        _ durability: Durability, _ body: @escaping @Sendable (any StateWriter) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // The value waits for the commit inside the closure that resumes with it: the group's
            // machinery below handles no `T`, so it runs specialized, not as generic code that
            // looked up the metadata of `Result<T, Error>?` and its `Mutex` at every use (~6,000
            // instructions a create, callgrind).
            submit(
                durability,
                run: { writer in
                    let value = try body(writer)
                    return { continuation.resume(returning: value) }
                }, failed: { continuation.resume(throwing: $0) })
        }
    }

    /// What a write's body left for its caller once the group's commit has returned.
    private enum Outcome: Sendable {
        case succeeded(resume: @Sendable () -> Void)
        case failed(any Error)
    }

    /// Queues a write: `run` is its body inside the group's transaction, answering how to resume
    /// its caller after the commit; `failed` resumes it with an error, its body's or the commit's.
    private func submit(
        _ durability: Durability, run: @escaping @Sendable (any StateWriter) throws -> @Sendable () -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) {
        let outcome = Mutex<Outcome?>(nil)
        let finishing = FinishActions()
        let job = Job(
            run: { [documents, journalIndexed] db, held in
                held.beginWrite()
                do {
                    try Self.inSavepoint(db) {
                        let resume = try run(
                            SQLiteTransaction(
                                db: db, documents: documents, finishing: finishing, journalIndexed: journalIndexed,
                                held: held))
                        outcome.withLock { $0 = .succeeded(resume: resume) }
                    }
                    held.endWrite(rolledBack: false)
                } catch {
                    held.endWrite(rolledBack: true)
                    outcome.withLock { $0 = .failed(error) }
                }
            },
            finish: { commitError in
                if let commitError {
                    finishing.run(committed: false)
                    failed(commitError)
                    return
                }
                switch outcome.withLock({ $0 }) {
                case .succeeded(let resume):
                    finishing.run(committed: true)
                    resume()
                case .failed(let error):
                    finishing.run(committed: false)
                    failed(error)
                case nil:
                    finishing.run(committed: false)
                    failed(StateStoreError.unavailable("write not run"))
                }
            }, durability: durability)
        let leads = queue.withLock { queue in
            queue.jobs.append(job)
            if queue.draining { return false }
            queue.draining = true
            return true
        }
        if leads { committer.async { self.drain() } }
    }

    /// Runs `body` in a savepoint of its own inside the group's transaction: released when it
    /// returns, rolled back to when it throws (the error is rethrown). The statements are
    /// prepared once per connection; GRDB's `inSavepoint` compiles its `SAVEPOINT` and `RELEASE`
    /// for every write (9 % of the committer's time under a load of creates). GRDB still sees
    /// each statement's effect on its savepoint stack, which it records at compilation.
    private static func inSavepoint(_ db: Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT write").execute()
        do {
            try body()
        } catch {
            // A failure SQLite answered by rolling the whole transaction back has taken the
            // savepoint with it; the group's commit then fails and reports that.
            try? db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT write").execute()
            try? db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
    }

    /// Commits groups until nobody waits. Only one drain runs at a time.
    private func drain() {
        while true {
            let group: [Job] = queue.withLock { queue in
                guard !queue.jobs.isEmpty else {
                    queue.draining = false
                    return []
                }
                let count = min(queue.jobs.count, maxGroup)
                let group = Array(queue.jobs.prefix(count))
                queue.jobs.removeFirst(count)
                return group
            }
            if group.isEmpty { return }
            let taken = Mutex<ReadEventLog.Taken?>(nil)
            do {
                let syncs = group.contains { $0.durability == .synced }
                try writer.writeWithoutTransaction { [reads] db in
                    if self.syncing.load(ordering: .relaxed) != syncs {
                        try db.execute(sql: syncs ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                        self.syncing.store(syncs, ordering: .relaxed)
                    }
                    try db.inTransaction {
                        if let waiting = reads.take() {
                            taken.withLock { $0 = waiting }
                            try ReadEventLog.commit(waiting, into: db)
                        }
                        let held = HeldEvents()
                        for job in group { job.run(db, held) }
                        try held.insert(into: db)
                        return .commit
                    }
                }
                commits.add(1, ordering: .relaxed)
                writes.add(group.count, ordering: .relaxed)
                if syncs { synced.add(1, ordering: .relaxed) }
                documents.groupFinished()
                journalIndex.wake()
                // Before the callers resume: a caller that appends next finds the emptied file.
                if let committed = taken.withLock({ $0 }) { reads.committed(committed) }
                for job in group { job.finish(nil) }
            } catch {
                documents.groupFinished()
                if let waiting = taken.withLock({ $0 }) { reads.restore(waiting) }
                for job in group { job.finish(error) }
            }
        }
    }
}
