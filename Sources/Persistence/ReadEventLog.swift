import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Read-only calls' events on their way into the journal table. A read answers from a
/// snapshot without taking the writer: its event is appended here — one `write(2)` into a
/// segment file beside the database, no fsync — before the call answers, so it survives the
/// server being killed. The next commit group (any write, or the drain an append schedules)
/// takes what waits here into its transaction before its own writes, so read events keep their
/// place before every later change. A segment file whose events are committed is emptied and
/// kept open for later appends (creating a file is a directory operation, which waited up to
/// 11 ms on the request path beside large fsyncs); segments a killed server left are read back
/// when the store opens (a segment already committed is recognised by its last event, which
/// the commit records in `read_segments`).
final class ReadEventLog: Sendable {
    /// A segment file, its open descriptor, and the id of the last event appended since it was
    /// emptied.
    struct Segment: Sendable {
        var path: String
        var descriptor: Int32
        var lastEvent: String?

        /// The name `read_segments` knows the file by.
        var name: String { ReadEventLog.name(ofFile: path) }
    }

    /// Events taken into a transaction, and the segment files that hold them.
    struct Taken: Sendable {
        var entries: [JournalEntry]
        var segments: [Segment]
    }

    private struct State {
        var pending: [JournalEntry] = []
        /// Segment files holding `pending` (the last one is still appended to).
        var segments: [Segment] = []
        /// Emptied segment files, ready for the next take's appends.
        var spare: [Segment] = []
        var written = 0
    }

    /// Emptied segment files kept for reuse; more are removed.
    static let spareLimit = 4

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

    /// Appends `entries` (to the current segment file, then to what waits); answers whether
    /// nothing waited before them (the caller then schedules a drain).
    func append(_ entries: [JournalEntry]) throws -> Bool {
        guard !entries.isEmpty else { return false }
        var bytes: [UInt8] = []
        for entry in entries { Self.encode(entry, into: &bytes) }
        return try state.withLock { state in
            if let directory {
                if state.segments.isEmpty {
                    if let reused = state.spare.popLast() {
                        state.segments.append(reused)
                    } else {
                        let path = "\(directory)/\(prefix)\(state.written).log"
                        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
                        guard descriptor >= 0 else { throw StateStoreError.unavailable("cannot open \(path)") }
                        state.segments.append(Segment(path: path, descriptor: descriptor, lastEvent: nil))
                        state.written += 1
                    }
                }
                if let current = state.segments.indices.last {
                    try Self.writeAll(bytes, to: state.segments[current].descriptor)
                    state.segments[current].lastEvent = entries.last?.eventID
                }
            }
            let first = state.pending.isEmpty
            state.pending += entries
            return first
        }
    }

    var isEmpty: Bool { state.withLock { $0.pending.isEmpty } }

    /// What waits, for a transaction; later appends go to another segment (a spare or a new one).
    func take() -> Taken? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
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
        for entry in taken.entries { try SQLiteTransaction.insert(entry, into: db) }
        for segment in taken.segments {
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
            for entry in entries { try SQLiteTransaction.insert(entry, into: db) }
            try record(name, last: last, into: db)
        }
        for name in try String.fetchAll(db, sql: "SELECT file FROM read_segments")
        where !FileManager.default.fileExists(atPath: "\(directory)/\(name)") {
            try db.execute(sql: "DELETE FROM read_segments WHERE file = ?", arguments: [name])
        }
    }

    /// `taken` is committed: its segment files are emptied for reuse (beyond ``spareLimit``,
    /// removed). An emptied file that a crash leaves holds nothing to read back; one the crash
    /// left unemptied holds events the next open recognises as committed (``commit(_:into:)``).
    func committed(_ taken: Taken) {
        var emptied: [Segment] = []
        for var segment in taken.segments {
            if ftruncate(segment.descriptor, 0) == 0 {
                segment.lastEvent = nil
                emptied.append(segment)
            } else {
                Self.remove(segment)
            }
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
        close(segment.descriptor)
        unlink(segment.path)
    }

    deinit {
        // Emptied files go; a segment still holding events stays, for the next open to read.
        state.withLock { state in
            for segment in state.spare { Self.remove(segment) }
            for segment in state.segments { close(segment.descriptor) }
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
        return decodeAll(Array(data))
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { all in
                write(descriptor, UnsafeRawBufferPointer(rebasing: all[offset...]).baseAddress, bytes.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw StateStoreError.unavailable("cannot append a read event: errno \(errno)")
            }
            offset += count
        }
    }

    // MARK: - Format: per event, payload length (UInt32 LE), FNV-1a of the payload, the payload.

    static func encode(_ entry: JournalEntry, into bytes: inout [UInt8]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(entry.record.utf8.count + 256)
        append(UInt64(entry.eventTime.timeIntervalSince1970.bitPattern), to: &payload)
        payload.append((entry.readOnly ? 1 : 0) | (entry.management ? 2 : 0))
        for text in [entry.eventID, entry.account, entry.region, entry.eventName, entry.eventSource, entry.record] {
            append(Optional(text), to: &payload)
        }
        for text in [entry.username, entry.accessKeyId, entry.resourceArn, entry.resourceType, entry.resourceName] {
            append(text, to: &payload)
        }
        append(UInt32(payload.count), to: &bytes)
        append(fnv(payload), to: &bytes)
        bytes += payload
    }

    static func decodeAll(_ bytes: [UInt8]) -> [JournalEntry] {
        var entries: [JournalEntry] = []
        var reader = Reader(bytes: bytes)
        while let length = reader.uint32(), let digest = reader.uint32(), let payload = reader.bytes(Int(length)),
            fnv(payload) == digest
        {
            var fields = Reader(bytes: payload)
            guard let time = fields.uint64(), let flags = fields.bytes(1)?.first,
                let id = fields.text(), let account = fields.text(), let region = fields.text(),
                let name = fields.text(), let source = fields.text(), let record = fields.text()
            else { break }
            let optional = (0..<5).map { _ in fields.text() }
            entries.append(
                JournalEntry(
                    eventID: id, account: account, region: region,
                    eventTime: Date(timeIntervalSince1970: Double(bitPattern: time)), eventName: name,
                    eventSource: source, readOnly: flags & 1 != 0, username: optional[0], accessKeyId: optional[1],
                    record: record, management: flags & 2 != 0, resourceArn: optional[2], resourceType: optional[3],
                    resourceName: optional[4]))
        }
        return entries
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func append(_ text: String?, to bytes: inout [UInt8]) {
        guard let text else { return append(UInt32.max, to: &bytes) }
        append(UInt32(text.utf8.count), to: &bytes)
        bytes += text.utf8
    }

    private static func fnv(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func bytes(_ count: Int) -> [UInt8]? {
            guard count >= 0, at + count <= bytes.count else { return nil }
            defer { at += count }
            return Array(bytes[at..<(at + count)])
        }

        mutating func uint32() -> UInt32? {
            bytes(4).map { $0.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        }

        mutating func uint64() -> UInt64? {
            bytes(8).map { $0.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        }

        /// A string field; nil for an absent optional (and for a truncated field).
        mutating func text() -> String? {
            guard let length = uint32(), length != UInt32.max, let utf8 = bytes(Int(length)) else { return nil }
            return String(decoding: utf8, as: UTF8.self)
        }
    }
}
