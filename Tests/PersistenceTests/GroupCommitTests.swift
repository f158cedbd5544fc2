import Dispatch
import Foundation
import Persistence
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    struct Note: Codable, Sendable, Equatable { var text: String }
    struct Refused: Error {}

    /// Starts a write of `durability` that holds the writer until `gate` is signalled, then
    /// runs `body`; returns once the writer is held.
    private func holdingTheWriter(
        _ store: SQLiteStateStore, _ durability: Durability = .synced,
        then body: @escaping @Sendable (any StateWriter) throws -> Void = { _ in }
    ) async -> (gate: DispatchSemaphore, task: Task<Void, any Error>) {
        let gate = DispatchSemaphore(value: 0)
        let started = Atomic<Bool>(false)
        let task = Task {
            try await store.write(durability) { tx in
                started.store(true, ordering: .sequentiallyConsistent)
                gate.wait()
                try body(tx)
            }
        }
        #expect(await eventually { started.load(ordering: .sequentiallyConsistent) })
        return (gate, task)
    }

    @Test func writesThatWaitShareOneCommitAndFailAlone() async throws {
        try await withFileStore { store in try await groups(store) }
    }

    private func groups(_ store: SQLiteStateStore) async throws {
        // The first write holds the writer until twenty more are queued behind it.
        let (gate, first) = await holdingTheWriter(store) { tx in
            try tx.put(Note(text: "first"), kind: "note", scope: "s", id: "first")
        }
        let before = store.commitCounts
        var waiting: [Task<Void, any Error>] = []
        for index in 0..<20 {
            waiting.append(
                Task {
                    try await store.write { tx in
                        try tx.put(Note(text: "n\(index)"), kind: "note", scope: "s", id: "n\(index)")
                        if index == 7 { throw Refused() }
                    }
                })
        }
        #expect(await eventually { store.waitingWrites == 20 })
        gate.signal()
        try await first.value
        var refused = 0
        for (index, task) in waiting.enumerated() {
            do { try await task.value } catch is Refused { refused += 1; #expect(index == 7) }
        }
        #expect(refused == 1)

        let after = store.commitCounts
        #expect(after.commits - before.commits == 2)
        #expect(after.writes - before.writes == 21)
        let notes = try await store.read { try $0.list(Note.self, kind: "note", scope: "s") }
        #expect(notes.count == 20)
        #expect(!notes.contains(Note(text: "n7")))
        #expect(notes.contains(Note(text: "first")))
    }

    /// `putNew` stores a key once: a second is refused and leaves the first, and a write that
    /// fails after it takes its document back with it.
    @Test func aNewDocumentIsStoredOnceAndRolledBackWithItsWrite() async throws {
        let store = try SQLiteStateStore(path: nil)
        let first = try DocumentEncoder.encode(Note(text: "first"))
        let second = try DocumentEncoder.encode(Note(text: "second"))
        #expect(try await store.write { try $0.putNew(body: first, kind: "note", scope: "s", id: "a") })
        #expect(try await store.write { try !$0.putNew(body: second, kind: "note", scope: "s", id: "a") })
        // The same key in another scope or kind is another document.
        #expect(try await store.write { try $0.putNew(body: second, kind: "note", scope: "t", id: "a") })
        await #expect(throws: Refused.self) {
            try await store.write { tx in
                #expect(try tx.putNew(body: second, kind: "note", scope: "s", id: "b"))
                throw Refused()
            }
        }
        let notes = try await store.read { tx in
            (
                try tx.get(Note.self, kind: "note", scope: "s", id: "a"),
                try tx.get(Note.self, kind: "note", scope: "s", id: "b"),
                try tx.get(Note.self, kind: "note", scope: "t", id: "a")
            )
        }
        #expect(notes.0 == Note(text: "first"))
        #expect(notes.1 == nil)
        #expect(notes.2 == Note(text: "second"))
    }

    @Test func aReadSeesEveryAcknowledgedWrite() async throws {
        let store = try SQLiteStateStore(path: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await store.write { tx in
                        try tx.put(Note(text: "\(index)"), kind: "note", scope: "s", id: String(format: "%03d", index))
                    }
                }
            }
            try await group.waitForAll()
        }
        let notes = try await store.read { try $0.list(Note.self, kind: "note", scope: "s") }
        #expect(notes.map(\.text) == (0..<200).map(String.init))
        #expect(store.commitCounts.writes >= 200)
    }

    /// A store in a file (WAL: readers beside the writer), removed when `body` returns.
    /// A group's journal entries are inserted after its writes' savepoints, at the positions
    /// their appends answered, in group order. A write that reads the journal sees the entries
    /// appended before it in its group; when it then fails, those entries still commit, and
    /// the failed writes' own do not.
    @Test func aGroupsEntriesKeepTheirPositionsThroughFailedWrites() async throws {
        try await withFileStore { store in try await heldEntries(store) }
    }

    private func heldEntries(_ store: SQLiteStateStore) async throws {
        @Sendable func entry(_ id: String) -> JournalEntry {
            JournalEntry(
                eventID: id, account: "a", region: "r", eventTime: Date(), eventName: "Held", eventSource: "test",
                readOnly: false, username: nil, accessKeyId: nil, record: "{\"id\":\"\(id)\"}")
        }
        let (gate, first) = await holdingTheWriter(store) { tx in try tx.appendEvent(entry("first")) }
        let seen = Mutex<[String]>([])
        let latestSeen = Mutex<Int64>(0)
        // Queued one by one, so the group runs them in this order.
        let bodies: [@Sendable (any StateWriter) throws -> Int64] = [
            { tx in try tx.appendEvent(entry("a0")) },
            { tx in
                _ = try tx.appendEvent(entry("a1"))
                throw Refused()
            },
            { tx in
                latestSeen.withLock { $0 = (try? tx.latestPosition()) ?? -1 }
                let found = try tx.events(JournalQuery(account: "a", region: "r", limit: 10))
                seen.withLock { $0 = found.map(\.entry.eventID) }
                _ = try tx.appendEvent(entry("a2"))
                throw Refused()
            },
            { tx in try tx.appendEvent(entry("a3")) },
        ]
        var tasks: [Task<Int64, any Error>] = []
        for (index, body) in bodies.enumerated() {
            tasks.append(Task { try await store.write(body) })
            #expect(await eventually { store.waitingWrites == index + 1 })
        }
        gate.signal()
        try await first.value
        var answered: [Int64?] = []
        for task in tasks { answered.append(try? await task.value) }

        let journal = try await store.read { tx in
            try tx.events(JournalQuery(account: "a", region: "r", limit: 10))
        }
        let ids = journal.map(\.entry.eventID)
        #expect(ids == ["a3", "a0", "first"])
        #expect(seen.withLock { $0 } == ["a0", "first"])
        let positions = Dictionary(uniqueKeysWithValues: journal.map { ($0.entry.eventID, $0.position) })
        #expect(answered[0] == positions["a0"])
        #expect(answered[1] == nil && answered[2] == nil)
        #expect(answered[3] == positions["a3"])
        #expect(latestSeen.withLock { $0 } == positions["a0"])
        #expect(try await store.read { try $0.latestPosition() } == positions["a3"])
    }

    private func withFileStore(_ body: (SQLiteStateStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path))
    }

    @Test func aReadAnswersBesideABusyWriterAndGivesUpOnAChange() async throws {
        try await withFileStore { store in try await readsBesideTheWriter(store) }
    }

    private func readsBesideTheWriter(_ store: SQLiteStateStore) async throws {
        try await store.write { tx in try tx.put(Note(text: "kept"), kind: "note", scope: "s", id: "a") }

        // The writer is held; a read still answers from the last committed state.
        let (gate, holder) = await holdingTheWriter(store) { tx in
            try tx.put(Note(text: "later"), kind: "note", scope: "s", id: "b")
        }
        let seen = try await store.readUnlessWriting { try $0.list(Note.self, kind: "note", scope: "s") }
        #expect(seen == [Note(text: "kept")])
        gate.signal()
        try await holder.value

        // A body that changes something is stopped, and nothing of it stays.
        let changed = try await store.readUnlessWriting { tx -> Int in
            try tx.put(Note(text: "never"), kind: "note", scope: "s", id: "c")
            return 1
        }
        #expect(changed == nil)
        // …even when the body swallowed the refusal.
        let swallowed = try await store.readUnlessWriting { tx -> Int in
            _ = try? tx.delete(kind: "note", scope: "s", id: "a")
            return 2
        }
        #expect(swallowed == nil)
        let notes = try await store.read { try $0.list(Note.self, kind: "note", scope: "s") }
        #expect(notes == [Note(text: "kept"), Note(text: "later")])
        // A body's own failure is the caller's.
        await #expect(throws: Refused.self) {
            _ = try await store.readUnlessWriting { _ -> Int in throw Refused() }
        }
    }

    @Test func journaledWritesCommitWithoutAnFsyncUnlessASyncedOneSharesTheirGroup() async throws {
        try await withFileStore { store in try await journaledAndSynced(store) }
    }

    private func journaledAndSynced(_ store: SQLiteStateStore) async throws {

        let before = store.commitCounts
        try await store.write(.journaled) { tx in try tx.put(Note(text: "j"), kind: "note", scope: "s", id: "j") }
        var after = store.commitCounts
        #expect(after.commits - before.commits == 1)
        #expect(after.synced == before.synced)

        try await store.write(.synced) { tx in try tx.put(Note(text: "s"), kind: "note", scope: "s", id: "s") }
        after = store.commitCounts
        #expect(after.synced == before.synced + 1)

        // A journaled write queued behind a synced one shares its fsync.
        let (gate, holder) = await holdingTheWriter(store, .journaled)
        let middle = store.commitCounts
        let mixed = [
            Task {
                try await store.write(.journaled) { tx in try tx.put(Note(text: "1"), kind: "note", scope: "s", id: "1")
                }
            },
            Task {
                try await store.write(.synced) { tx in try tx.put(Note(text: "2"), kind: "note", scope: "s", id: "2") }
            },
        ]
        #expect(await eventually { store.waitingWrites == 2 })
        gate.signal()
        try await holder.value
        for task in mixed { try await task.value }
        let end = store.commitCounts
        #expect(end.commits - middle.commits == 2)
        #expect(end.synced - middle.synced == 1)
        let notes = try await store.read { try $0.list(Note.self, kind: "note", scope: "s") }
        #expect(notes.count == 4)
    }
}

@Suite struct DocumentCacheTests {
    /// Counts its decodes, to tell a cache hit from a decode.
    struct Counted: CachedDocument, Equatable {
        static let decodes = Atomic<Int>(0)
        var text: String

        init(text: String) { self.text = text }

        init(from decoder: any Decoder) throws {
            Self.decodes.add(1, ordering: .relaxed)
            text = try decoder.singleValueContainer().decode(String.self)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }
    }

    @Test func anUnchangedBodyIsDecodedOnceAndAChangedOneAgain() throws {
        let cache = DocumentCache(capacity: 2)
        let decoder = JSONDecoder()
        let start = Counted.decodes.load(ordering: .relaxed)
        func decode(_ id: String, _ text: String) throws -> Counted {
            try cache.decode(Counted.self, kind: "k", scope: "s", id: id, from: Data(text.utf8), with: decoder)
        }
        #expect(try decode("a", #""one""#) == Counted(text: "one"))
        #expect(try decode("a", #""one""#) == Counted(text: "one"))
        #expect(Counted.decodes.load(ordering: .relaxed) - start == 1)
        // Other bytes, same length, same place: decoded, never mistaken for the first.
        #expect(try decode("a", #""two""#) == Counted(text: "two"))
        #expect(Counted.decodes.load(ordering: .relaxed) - start == 2)
        // The same bytes elsewhere are another document.
        #expect(try decode("b", #""two""#) == Counted(text: "two"))
        #expect(Counted.decodes.load(ordering: .relaxed) - start == 3)
        // Full: the cache starts over, and still answers right.
        #expect(try decode("c", #""six""#) == Counted(text: "six"))
        #expect(try decode("a", #""two""#) == Counted(text: "two"))
        #expect(Counted.decodes.load(ordering: .relaxed) - start == 5)
        // Types that are not cached documents are decoded every time.
        #expect(
            try cache.decode(String.self, kind: "k", scope: "s", id: "a", from: Data(#""one""#.utf8), with: decoder)
                == "one")
    }
}

@Suite struct ListedPageTests {
    typealias Counted = DocumentCacheTests.Counted

    private func page(_ store: SQLiteStateStore) throws -> [String] {
        try store.readHere { try $0.list(Counted.self, kind: "k", scope: "s", after: nil, limit: 2) }.map(\.text)
    }

    /// A page read again while no document changed comes from memory; a change through the
    /// store (committed or being written) is seen at once. A process writing the same file
    /// behind the store's back (as `account create` does for identities) is not: the page
    /// holds until this store's next change, which is why only cached documents are paged so.
    @Test func aRepeatedPageIsKeptUntilADocumentChanges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        let store = try SQLiteStateStore(path: path)
        try await store.write(.synced) { tx in
            for id in ["a", "b", "c"] { try tx.put(Counted(text: id), kind: "k", scope: "s", id: id) }
        }
        #expect(try page(store) == ["a", "b"])
        let other = try SQLiteStateStore(path: path)
        _ = try await other.write(.synced) { tx in try tx.delete(kind: "k", scope: "s", id: "a") }
        #expect(try page(store) == ["a", "b"])
        // A write sees its own uncommitted change, not the kept page.
        let inWrite = try await store.write(.synced) { tx in
            try tx.put(Counted(text: "0"), kind: "k", scope: "s", id: "0")
            return try tx.list(Counted.self, kind: "k", scope: "s", after: nil, limit: 2).map(\.text)
        }
        #expect(inWrite == ["0", "b"])
        #expect(try page(store) == ["0", "b"])
        #expect(
            try store.readHere { try $0.list(Counted.self, kind: "k", scope: "s", after: "0", limit: 2) }.map(\.text)
                == ["b", "c"])
    }
}

@Suite struct PreparedWriteTests {
    struct Counter: Codable, Sendable, Equatable { var value: Int }

    private func withFileStore(_ body: (SQLiteStateStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path))
    }

    /// Adds one to the counter and moves it to a new id: reads, a put, a delete, an event.
    private static func bump(_ tx: any StateWriter) throws -> Int {
        let current = try tx.get(Counter.self, kind: "counter", scope: "s", id: "c") ?? Counter(value: 0)
        try tx.put(Counter(value: current.value + 1), kind: "counter", scope: "s", id: "c")
        _ = try tx.delete(kind: "counter", scope: "s", id: "old")
        try tx.appendEvent(
            JournalEntry(
                eventID: UUID().uuidString, account: "a", region: "r", eventTime: Date(), eventName: "Bump",
                eventSource: "test", readOnly: false, username: nil, accessKeyId: nil, record: "{}"))
        return current.value + 1
    }

    /// A read-only call's body that reads no row answers without a transaction; one that reads
    /// runs again on a snapshot, even when it swallowed the refusal of its first read.
    @Test func aBodyThatReadsNoRowBeginsNoTransaction() async throws {
        try await withFileStore { store in
            try await store.write { tx in try tx.put(Counter(value: 1), kind: "counter", scope: "s", id: "c") }
            let runs = Atomic<Int>(0)
            let before = store.readTransactionCount
            let generation = try await store.readUnlessWriting { tx in
                runs.add(1, ordering: .relaxed)
                return tx.snapshotGeneration
            }
            #expect(generation != nil && runs.load(ordering: .relaxed) == 1)
            #expect(store.readTransactionCount == before)

            let swallowed = try await store.readUnlessWriting { tx in
                runs.add(1, ordering: .relaxed)
                return (try? tx.get(Counter.self, kind: "counter", scope: "s", id: "c"))?.value
            }
            #expect(swallowed == 1 && runs.load(ordering: .relaxed) == 3)
            #expect(store.readTransactionCount == before + 1)

            // A body that tries to write, kept or not, is still handed back to run as a write.
            let wrote = try await store.readUnlessWriting { tx -> Int in
                try tx.put(Counter(value: 2), kind: "counter", scope: "s", id: "c")
                return 2
            }
            #expect(wrote == nil)
        }
    }

    @Test func changesMadeOnASnapshotCommitInOneShortWrite() async throws {
        try await withFileStore { store in
            try await store.write { tx in
                try tx.put(Counter(value: 1), kind: "counter", scope: "s", id: "c")
                try tx.put(Counter(value: 9), kind: "counter", scope: "s", id: "old")
            }
            let outcome = Mutex<Bool?>(nil)
            let value = try await store.writePrepared { tx in
                tx.whenFinished { committed in outcome.withLock { $0 = committed } }
                return try Self.bump(tx)
            }
            #expect(value == 2)
            #expect(outcome.withLock { $0 } == true)
            let counters = try await store.read { try $0.list(Counter.self, kind: "counter", scope: "s") }
            #expect(counters == [Counter(value: 2)])
            #expect(try await store.read { try $0.latestPosition() } == 1)
        }
    }

    @Test func aDocumentChangedMeanwhileRunsTheBodyAgainInTheWriter() async throws {
        try await withFileStore { store in
            try await store.write { tx in try tx.put(Counter(value: 1), kind: "counter", scope: "s", id: "c") }
            let runs = Atomic<Int>(0)
            let outcomes = Mutex<[Bool]>([])
            let value = try await store.writePrepared { tx in
                let run = runs.add(1, ordering: .relaxed).newValue
                tx.whenFinished { committed in outcomes.withLock { $0.append(committed) } }
                let result = try Self.bump(tx)
                if run == 1 {
                    // Another write commits after this snapshot read the counter.
                    let done = DispatchSemaphore(value: 0)
                    Task {
                        try await store.write { other in
                            try other.put(Counter(value: 10), kind: "counter", scope: "s", id: "c")
                        }
                        done.signal()
                    }
                    done.wait()
                }
                return result
            }
            #expect(runs.load(ordering: .relaxed) == 2)
            #expect(value == 11)
            #expect(outcomes.withLock { $0 } == [false, true])
            let counter = try await store.read { try $0.get(Counter.self, kind: "counter", scope: "s", id: "c") }
            #expect(counter == Counter(value: 11))
            #expect(try await store.read { try $0.latestPosition() } == 1)
        }
    }
}

struct SerialPassesTests {
    /// Passes never overlap, and each one asked for runs.
    @Test func passesNeverOverlap() async {
        let serial = SerialPasses()
        let log = LogBook()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    await serial.run {
                        await log.enter(index)
                        await Task.yield()
                        await log.leave()
                    }
                }
            }
        }
        #expect(await log.entered.count == 20)
        #expect(await log.maxInside == 1)
    }

    actor LogBook {
        var entered: [Int] = []
        var inside = 0
        var maxInside = 0

        func enter(_ index: Int) {
            entered.append(index)
            inside += 1
            maxInside = max(maxInside, inside)
        }

        func leave() { inside -= 1 }
    }
}
