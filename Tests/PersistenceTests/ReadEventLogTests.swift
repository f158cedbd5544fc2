import Foundation
import GRDB
import Testing

@testable import Persistence

/// Read-only calls' events: kept in segment files until a commit group takes them, in order,
/// and read back once after a killed server.
struct ReadEventLogTests {
    private func entry(_ id: String, name: String = "DescribeThings", user: String? = nil) -> JournalEntry {
        JournalEntry(
            eventID: id, account: "111122223333", region: "eu-west-1",
            eventTime: Date(timeIntervalSince1970: 1_800_000_000.25), eventName: name, eventSource: "test",
            readOnly: true, username: user, accessKeyId: "AKIDEXAMPLE", record: #"{"eventID":"\#(id)","é":"ü"}"#,
            management: true, resourceArn: nil, resourceType: "AWS::Test::Thing", resourceName: "thing")
    }

    /// A segment's bytes: `epoch`'s header (of `magic`), then `records` placed for `epoch`.
    private func segment(
        epoch: UInt64, _ records: [UInt8], over earlier: [UInt8] = [], magic: UInt32 = ReadEventLog.magic
    ) -> [UInt8] {
        var bytes = earlier + [UInt8](repeating: 0, count: max(0, 4_096 - earlier.count))
        var header = ReadEventLog.header(epoch: epoch)
        withUnsafeBytes(of: magic.littleEndian) { header.replaceSubrange(0..<4, with: $0) }
        bytes.replaceSubrange(0..<ReadEventLog.headerSize, with: header)
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            ReadEventLog.place(records, epoch: epoch, at: base + ReadEventLog.headerSize)
        }
        return bytes
    }

    @Test func entriesRoundTripAndATornTailIsLeftOut() {
        let entries = [entry("one", user: "alice"), entry("two")]
        let records = ReadEventLog.records(entries)
        let bytes = segment(epoch: 7, records)
        #expect(ReadEventLog.decodeSegment(bytes) == entries)
        // An append cut short by the kill: the whole events before it are read.
        let end = ReadEventLog.headerSize + records.count
        #expect(ReadEventLog.decodeSegment(Array(bytes[..<(end - 3)])) == [entries[0]])
        var damaged = bytes
        damaged[end - 5] ^= 0xFF
        #expect(ReadEventLog.decodeSegment(damaged) == [entries[0]])
        // Emptied (the epoch moved on), then one shorter event appended over the earlier use:
        // what remains of that use is not read, though its bytes are still there.
        let reused = segment(epoch: 8, ReadEventLog.records([entry("3")]), over: bytes)
        #expect(ReadEventLog.decodeSegment(reused) == [entry("3")])
        #expect(ReadEventLog.decodeSegment(segment(epoch: 8, [], over: bytes)).isEmpty)
        // A segment an earlier version appended with write(2) is read as it was written.
        let appended = entries.flatMap(ReadEventLog.appendedRecord)
        #expect(ReadEventLog.decodeSegment(appended) == entries)
        #expect(ReadEventLog.decodeSegment(Array(appended.dropLast(3))) == [entries[0]])
    }

    /// A mapped segment of the version that checked records by FNV-1a 64 (a server killed
    /// before an upgrade) is read back by that checksum; by the current one it would not check.
    @Test func aSegmentCheckedByFNVIsReadBack() {
        let entries = [entry("one", user: "alice"), entry("two")]
        var records = ReadEventLog.records(entries)
        var at = 0
        while at < records.count {
            let length = records[at..<(at + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let start = at + ReadEventLog.recordHead
            let checksum = records.withUnsafeBytes {
                ReadEventLog.fnv64(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)]))
            }
            withUnsafeBytes(of: checksum.littleEndian) { records.replaceSubrange((at + 4)..<start, with: $0) }
            at = start + length
        }
        #expect(ReadEventLog.decodeSegment(segment(epoch: 3, records, magic: ReadEventLog.fnvMagic)) == entries)
        #expect(ReadEventLog.decodeSegment(segment(epoch: 3, records)).isEmpty)
        #expect(ReadEventLog.decodeSegment(segment(epoch: 3, ReadEventLog.records(entries))) == entries)
    }

    @Test func readEventsJoinTheJournalBeforeTheNextWritesOwn() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(path: directory + "/state.sqlite", readDrainDelay: nil)
            try store.appendReadEvents([entry("read-1"), entry("read-2")])
            #expect(try await store.read { try $0.latestPosition() } == 0, "not in the journal yet")
            #expect(ReadEventLog.leftovers(in: directory).count == 1, "but in a segment file")
            try await store.write { tx in
                _ = try tx.appendEvent(
                    JournalEntry(
                        eventID: "write", account: "111122223333", region: "eu-west-1", eventTime: Date(),
                        eventName: "CreateThing", eventSource: "test", readOnly: false, username: nil,
                        accessKeyId: nil, record: "{}"))
            }
            #expect(try await ids(in: store) == ["read-1", "read-2", "write"])
            let files = ReadEventLog.leftovers(in: directory)
            #expect(files.count == 1 && files.allSatisfy { ReadEventLog.entries(inFile: $0).isEmpty }, "emptied")
        }
    }

    @Test func anEmptiedSegmentTakesTheNextReadsAndExtraSegmentsGo() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(path: directory + "/state.sqlite", readDrainDelay: nil)
            try store.appendReadEvents([entry("first")])
            let file = try #require(ReadEventLog.leftovers(in: directory).first)
            try await store.flushReadEvents()
            try store.appendReadEvents([entry("second")])
            #expect(ReadEventLog.leftovers(in: directory) == [file], "the same file, no new one")
            #expect(ReadEventLog.entries(inFile: file).map(\.eventID) == ["second"])
            try await store.flushReadEvents()
            #expect(ReadEventLog.entries(inFile: file).isEmpty)
            #expect(try await ids(in: store) == ["first", "second"])
        }
        // Segments beyond the spare limit are removed once committed; a store that goes removes its own.
        try await withTemporaryDirectory { directory in
            var log: ReadEventLog? = ReadEventLog(directory: directory)
            var taken: [ReadEventLog.Taken] = []
            for index in 0..<(ReadEventLog.spareLimit + 2) {
                _ = try log?.append([entry("read-\(index)")])
                taken.append(try #require(log?.take()))
            }
            #expect(ReadEventLog.leftovers(in: directory).count == ReadEventLog.spareLimit + 2)
            for each in taken { log?.committed(each) }
            let kept = ReadEventLog.leftovers(in: directory)
            #expect(kept.count == ReadEventLog.spareLimit)
            #expect(kept.allSatisfy { ReadEventLog.entries(inFile: $0).isEmpty })
            log = nil
            #expect(ReadEventLog.leftovers(in: directory).isEmpty)
        }
    }

    @Test func segmentsAKilledServerLeftAreCommittedOnceAtTheNextOpen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let killed = try SQLiteStateStore(path: path, readDrainDelay: nil)
            try killed.appendReadEvents([entry("kept-1")])
            try await killed.flushReadEvents()
            // This one is answered but never committed: the process "dies" here.
            try killed.appendReadEvents([entry("kept-2"), entry("kept-3")])
            #expect(ReadEventLog.leftovers(in: directory).count == 1)

            let reopened = try SQLiteStateStore(path: path, readDrainDelay: nil)
            #expect(try await ids(in: reopened) == ["kept-1", "kept-2", "kept-3"])
            #expect(ReadEventLog.leftovers(in: directory).isEmpty)
        }
    }

    /// A process killed after its group committed and before the segment was emptied: the next
    /// open finds the segment recorded as committed and adds none of its events again.
    @Test func aSegmentCommittedButNotEmptiedIsNotCommittedTwice() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            _ = try SQLiteStateStore(path: path, readDrainDelay: nil)
            let log = ReadEventLog(directory: directory)
            _ = try log.append([entry("first")])
            let earlier = try #require(log.take())
            let database = try DatabaseQueue(path: path)
            try await database.write { try ReadEventLog.commit(earlier, into: $0) }
            log.committed(earlier)
            // The emptied segment takes the next reads; their commit is the last thing done.
            _ = try log.append([entry("second"), entry("third")])
            let taken = try #require(log.take())
            #expect(taken.segments.map(\.path) == earlier.segments.map(\.path))
            try await database.write { try ReadEventLog.commit(taken, into: $0) }
            try database.close()

            let reopened = try SQLiteStateStore(path: path, readDrainDelay: nil)
            #expect(try await ids(in: reopened) == ["first", "second", "third"])
            #expect(ReadEventLog.leftovers(in: directory).isEmpty)
            // The record of a segment whose file is gone goes at the next open.
            _ = try SQLiteStateStore(path: path, readDrainDelay: nil)
            let recorded = try await DatabaseQueue(path: path).read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM read_segments")
            }
            #expect(recorded == 0)
            for segment in taken.segments { ReadEventLog.release(segment) }
        }
    }

    /// Appends that do not fit the current segment go on in another, and one larger than a
    /// segment gets a segment of its own size; a take holds them all, in order.
    @Test func appendsBeyondASegmentGoOnInAnother() async throws {
        try await withTemporaryDirectory { directory in
            let log = ReadEventLog(directory: directory)
            func large(_ id: String, kib: Int) -> JournalEntry {
                var large = entry(id)
                large.record = String(repeating: "x", count: kib * 1_024)
                return large
            }
            for index in 0..<4 { _ = try log.append([large("part-\(index)", kib: 300)]) }
            _ = try log.append([large("whole", kib: 1_200)])
            let taken = try #require(log.take())
            #expect(taken.entries.isEmpty, "the segments alone hold them")
            #expect(
                taken.segments.map { ReadEventLog.entries(inFile: $0.path).map(\.eventID) } == [
                    ["part-0", "part-1", "part-2"], ["part-3"], ["whole"],
                ])
            log.committed(taken)
        }
    }

    /// A segment an earlier version left (appended with `write(2)`, no header) is committed at
    /// the next open like any other.
    @Test func aSegmentOfAnEarlierVersionIsReadBack() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            _ = try SQLiteStateStore(path: path, readDrainDelay: nil)
            // A process id no process has (above Linux's pid_max).
            let file = "\(directory)/\(ReadEventLog.filePrefix)2147483646-1-1-0.log"
            let bytes = [entry("old-1"), entry("old-2")].flatMap(ReadEventLog.appendedRecord)
            #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
            let reopened = try SQLiteStateStore(path: path, readDrainDelay: nil)
            #expect(try await ids(in: reopened) == ["old-1", "old-2"])
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }

    private func ids(in store: SQLiteStateStore) async throws -> [String] {
        try await store.read {
            try $0.pending(account: "111122223333", region: "eu-west-1", after: 0, upTo: nil, limit: 10)
        }.map(\.entry.eventID)
    }

    /// A commit that failed gives its events back: they keep their place before the events that
    /// came since, and later appends go on into the newest segment.
    @Test func eventsOfAFailedCommitWaitAgainInOrder() async throws {
        try await withTemporaryDirectory { directory in
            let log = ReadEventLog(directory: directory)
            _ = try log.append([entry("a")])
            let failed = try #require(log.take())
            _ = try log.append([entry("b")])
            log.restore(failed)
            _ = try log.append([entry("c")])
            let retried = try #require(log.take())
            #expect(retried.entries.isEmpty, "the segments alone hold them")
            #expect(
                retried.segments.map { ReadEventLog.entries(inFile: $0.path).map(\.eventID) } == [["a"], ["b", "c"]])
            log.committed(retried)
            #expect(ReadEventLog.leftovers(in: directory).allSatisfy { ReadEventLog.entries(inFile: $0).isEmpty })
        }
    }

    /// The journal rows committed from a segment's mapping carry every field as appended:
    /// absent optionals stay NULL, texts keep their UTF-8, the time its fraction.
    @Test func rowsCommittedFromASegmentKeepEveryField() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(path: directory + "/state.sqlite", readDrainDelay: nil)
            var full = entry("full", user: "alice")
            full.resourceArn = "arn:aws:s3:::bucket/ключ"
            full.management = false
            var bare = entry("bare")
            (bare.accessKeyId, bare.resourceType, bare.resourceName, bare.readOnly) = (nil, nil, nil, false)
            bare.record = ""
            let appended = [full, bare] + (0..<20).map { entry("many-\($0)", name: "Describe\($0)") }
            try store.appendReadEvents(Array(appended[..<2]))
            try store.appendReadEvents(Array(appended[2...]))
            try await store.flushReadEvents()
            let committed = try await store.read {
                try $0.pending(account: "111122223333", region: "eu-west-1", after: 0, upTo: nil, limit: 100)
            }
            #expect(committed.map(\.entry) == appended)
            #expect(committed.map(\.position) == Array(1...Int64(appended.count)))
        }
    }

    @Test func segmentFilesAreTheOwnersOnly() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(path: directory + "/state.sqlite", readDrainDelay: nil)
            try store.appendReadEvents([entry("private")])
            let file = try #require(ReadEventLog.leftovers(in: directory).first)
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }
}
