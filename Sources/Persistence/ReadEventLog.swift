import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Read-only calls' events on their way into the journal table. A read answers from a
/// snapshot without taking the writer: its event is copied here — into a segment file mapped
/// shared beside the database, no system call, no fsync — before the call answers, so it is in
/// the kernel's page cache and survives the server being killed. The next commit group (any
/// write, or the drain an append schedules) takes what waits here into its transaction before
/// its own writes, so read events keep their place before every later change. A segment whose
/// events are committed is emptied by moving its epoch on (``ReadEventLog+Format``) and kept
/// mapped for later appends (creating a file is a directory operation, which waited up to 11 ms
/// on the request path beside large fsyncs; `write(2)` cost ~2 % of a Describe's CPU); segments
/// a killed server left are read back when the store opens (a segment already committed is
/// recognised by its last event, which the commit records in `read_segments`).
final class ReadEventLog: Sendable {
    /// A segment file, its open descriptor and shared mapping, where the next record goes, its
    /// epoch, and the id of the last event appended since it was emptied.
    struct Segment: Sendable {
        var path: String
        /// The name `read_segments` knows the file by (its last path component), found once:
        /// a commit records it for every segment it takes.
        var name: String
        var descriptor: Int32
        var mapping: Mapping
        var capacity: Int
        var used: Int
        var epoch: UInt64
        var lastEvent: String?
    }

    /// A segment's mapping: written under the log's lock, or by the committer once taken.
    struct Mapping: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
    }

    /// Events taken into a transaction: the segment files that hold them, or in memory.
    struct Taken: Sendable {
        /// The events of a log without files (an in-memory store).
        var entries: [JournalEntry]
        var segments: [Segment]
    }

    private struct State {
        /// What waits in a log without files. With files, the segments alone hold what waits,
        /// and the commit reads it from their mappings: the entries stay with the event loop
        /// that made them, and are freed there (a drain that only took and freed them, with no
        /// journal, still cost ~1.4 µs a call on its thread, mostly in `free`: stop 66).
        var pending: [JournalEntry] = []
        /// Segment files holding what waits (the last one is still appended to).
        var segments: [Segment] = []
        /// Emptied segment files, ready for the next take's appends.
        var spare: [Segment] = []
        var written = 0

        /// Every segment in `segments` holds at least one event.
        var isEmpty: Bool { pending.isEmpty && segments.isEmpty }
    }

    /// Emptied segment files kept for reuse; more are removed.
    static let spareLimit = 4
    /// A segment file's size (its blocks allocated when it is made): a commit group's events at
    /// a saturating Describe load fill ~300 KiB. Appends that do not fit go to another segment.
    static let segmentCapacity = 1 << 20

    /// Where segment files go; nil keeps events in memory only (an in-memory store).
    private let directory: String?
    private let state = Mutex(State())
    private let prefix: String

    static let filePrefix = "read-events-"

    init(directory: String?) {
        self.directory = directory
        // Unique per store opened, naming its process (segments of a live one are not leftovers).
        prefix =
            "\(Self.filePrefix)\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1e6))-\(UInt32.random(in: 0...UInt32.max))-"
    }

    /// Appends `entries` to the current segment file (without files, to what waits in memory);
    /// answers whether nothing waited before them (the caller then schedules a drain).
    func append(_ entries: [JournalEntry]) throws -> Bool {
        guard !entries.isEmpty else { return false }
        let records = directory == nil ? [] : Self.records(entries)
        return try state.withLock { state in
            let first = state.isEmpty
            if let directory {
                func fits(_ segment: Segment?) -> Bool {
                    segment.map { $0.capacity - $0.used >= records.count } ?? false
                }
                if fits(state.segments.last) {
                    // The current segment takes them.
                } else if fits(state.spare.last), let reused = state.spare.popLast() {
                    state.segments.append(reused)
                } else {
                    let path = "\(directory)/\(prefix)\(state.written).log"
                    state.written += 1
                    state.segments.append(
                        try Self.create(path, capacity: max(Self.segmentCapacity, Self.headerSize + records.count)))
                }
                let current = state.segments.count - 1
                let segment = state.segments[current]
                Self.place(records, epoch: segment.epoch, at: segment.mapping.base + segment.used)
                state.segments[current].used += records.count
                state.segments[current].lastEvent = entries.last?.eventID
                return first
            }
            state.pending += entries
            return first
        }
    }

    /// A new segment file of `capacity` bytes, its blocks allocated (a write into a mapped hole
    /// on a full disk would kill the process), mapped, with its header written.
    private static func create(_ path: String, capacity: Int) throws -> Segment {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StateStoreError.unavailable("cannot open \(path)") }
        let allocated = posix_fallocate(descriptor, 0, off_t(capacity))
        let mapped = allocated == 0 ? mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0) : nil
        guard let mapped, mapped != MAP_FAILED else {
            close(descriptor)
            unlink(path)
            throw StateStoreError.unavailable("cannot map \(path): \(allocated == 0 ? errno : allocated)")
        }
        // A random first epoch: nothing in a new file checks against it.
        let segment = Segment(
            path: path, name: name(ofFile: path), descriptor: descriptor, mapping: Mapping(base: mapped),
            capacity: capacity, used: headerSize, epoch: UInt64.random(in: 0...UInt64.max), lastEvent: nil)
        writeHeader(of: segment)
        return segment
    }

    private static func writeHeader(of segment: Segment) {
        header(epoch: segment.epoch).withUnsafeBytes { header in
            guard let from = header.baseAddress else { return }
            segment.mapping.base.copyMemory(from: from, byteCount: header.count)
        }
    }

    var isEmpty: Bool { state.withLock { $0.isEmpty } }

    /// What waits, for a transaction; later appends go to another segment (a spare or a new one).
    func take() -> Taken? {
        state.withLock { state in
            guard !state.isEmpty else { return nil }
            let taken = Taken(entries: state.pending, segments: state.segments)
            state.pending = []
            state.segments = []
            return taken
        }
    }

    /// `taken` was not committed: it waits again, before what came since.
    func restore(_ taken: Taken) {
        state.withLock { state in
            state.pending = taken.entries + state.pending
            // Later appends go on into the newest of them.
            state.segments = taken.segments + state.segments
        }
    }

    /// Inserts `taken`'s events into the journal in `db`'s transaction, and records each segment's
    /// last event: a crash before the files are emptied leaves segments whose events the next
    /// open recognises as committed. A segment is taken whole and appended to only after it is
    /// emptied (or given back uncommitted), so its last event stands for all of them.
    static func commit(_ taken: Taken, into db: Database) throws {
        try SQLiteTransaction.insert(taken.entries, into: db)
        for segment in taken.segments {
            // Bound where the appends put them: nothing appends to a taken segment.
            let texts = UnsafeBufferPointer(
                start: segment.mapping.base.assumingMemoryBound(to: UInt8.self), count: segment.used)
            try SQLiteTransaction.insert(try rows(in: texts), texts: texts, into: db)
            guard let last = segment.lastEvent else { continue }
            try record(segment.name, last: last, into: db)
        }
    }

    /// A segment file's name in its directory.
    static func name(ofFile path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    private static func record(_ name: String, last: String, into db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO read_segments (file, last_event) VALUES (?, ?)")
            .execute(arguments: [name, last])
    }

    /// Commits in `db`'s transaction the events of `files` (segments left by a process that is
    /// gone) that are not committed yet, and marks them committed: `files` may be removed once
    /// the transaction commits, and are read back once if it commits and they are not. Forgets
    /// the segments whose files are gone.
    static func recover(_ files: [String], in directory: String, into db: Database) throws {
        for file in files {
            let entries = entries(inFile: file)
            guard let last = entries.last?.eventID else { continue }
            let name = name(ofFile: file)
            let committed = try String.fetchOne(
                db, sql: "SELECT last_event FROM read_segments WHERE file = ?", arguments: [name])
            guard committed != last else { continue }
            try SQLiteTransaction.insert(entries, into: db)
            try record(name, last: last, into: db)
        }
        for name in try String.fetchAll(db, sql: "SELECT file FROM read_segments")
        where !FileManager.default.fileExists(atPath: "\(directory)/\(name)") {
            try db.execute(sql: "DELETE FROM read_segments WHERE file = ?", arguments: [name])
        }
    }

    /// `taken` is committed: its segment files are emptied for reuse (beyond ``spareLimit``,
    /// removed) by moving their epochs on. An emptied segment that a crash leaves holds nothing
    /// to read back; one the crash left unemptied holds events the next open recognises as
    /// committed (``commit(_:into:)``).
    func committed(_ taken: Taken) {
        var emptied: [Segment] = []
        for var segment in taken.segments {
            segment.epoch &+= 1
            segment.used = Self.headerSize
            segment.lastEvent = nil
            Self.writeHeader(of: segment)
            emptied.append(segment)
        }
        let extra = state.withLock { state in
            state.spare += emptied
            let extra = Array(state.spare.dropFirst(Self.spareLimit))
            state.spare.removeLast(extra.count)
            return extra
        }
        for segment in extra { Self.remove(segment) }
    }

    private static func remove(_ segment: Segment) {
        release(segment)
        unlink(segment.path)
    }

    /// Unmaps and closes `segment` (its file stays).
    static func release(_ segment: Segment) {
        munmap(segment.mapping.base, segment.capacity)
        close(segment.descriptor)
    }

    deinit {
        // Emptied files go; a segment still holding events stays, for the next open to read.
        state.withLock { state in
            for segment in state.spare { Self.remove(segment) }
            for segment in state.segments { Self.release(segment) }
        }
    }

    /// Segment files in `directory` left by a process that is gone (a server that was killed).
    /// A live process's (the server, while `account create` opens the store beside
    /// it) are its own to commit. Sorted by name (within a process, in the order written).
    static func leftovers(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            guard name.hasPrefix(filePrefix), name.hasSuffix(".log"),
                let pid = Int32(name.dropFirst(filePrefix.count).prefix { $0 != "-" })
            else { return false }
            return pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH)
        }
        .sorted { ($0.count, $0) < ($1.count, $1) }
        .map { "\(directory)/\($0)" }
    }

    /// The events of a segment file, up to the first one not wholly written.
    static func entries(inFile path: String) -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return decodeSegment(Array(data))
    }
}
