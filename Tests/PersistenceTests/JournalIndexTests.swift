import Foundation
import GRDB
import Testing

@testable import Persistence

/// Attribute lookups through the journal index (``JournalIndex``): the same answers whether an
/// event is indexed yet or only in the journal's tail.
@Suite struct JournalIndexTests {
    private let account = "111111111111"

    private func entry(_ index: Int, name: String, user: String? = "alice", management: Bool = true) -> JournalEntry {
        JournalEntry(
            eventID: "event-\(index)", account: account, region: "us-east-1",
            eventTime: Date(timeIntervalSince1970: Double(1_000 + index)), eventName: name,
            eventSource: "elasticache.amazonaws.com", readOnly: false, username: user, accessKeyId: "AKIA\(index % 2)",
            record: "{}", management: management, resourceType: "AWS::ElastiCache::CacheCluster",
            resourceName: "cluster-\(index % 3)")
    }

    private func lookup(
        _ store: SQLiteStateStore, _ attribute: JournalQuery.Attribute, _ value: String, limit: Int = 50,
        before: Int64? = nil, start: Double? = nil, end: Double? = nil
    ) async throws -> [String] {
        try await store.read { tx in
            try tx.events(
                JournalQuery(
                    account: account, region: "us-east-1", attribute: (attribute, value),
                    start: start.map { Date(timeIntervalSince1970: $0) },
                    end: end.map { Date(timeIntervalSince1970: $0) },
                    before: before, limit: limit)
            ).map(\.entry.eventID)
        }
    }

    private func append(_ store: SQLiteStateStore, _ entries: [JournalEntry]) async throws -> [Int64] {
        try await store.write { tx in try entries.map { try tx.appendEvent($0) } }
    }

    /// Six events indexed, four in the tail: a lookup pages newest first across both, with time
    /// filters; data events and absent attributes are in neither.
    @Test(arguments: [false, true]) func lookupsSpanIndexAndTail(inFile: Bool) async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(
                path: inFile ? directory + "/state.sqlite" : nil, readDrainDelay: nil, journalIndexDelay: nil)
            let names = [
                "Create", "Describe", "Create", "Delete", "Create", "Describe", "Create", "Create", "Modify", "Create",
            ]
            var entries = names.enumerated().map { entry($0.offset, name: $0.element) }
            entries[4].management = false
            entries[5].username = nil
            let positions = try await append(store, Array(entries[..<6]))
            #expect(try await lookup(store, .eventName, "Create") == ["event-2", "event-0"])
            #expect(try store.indexJournal() == 6)
            #expect(try store.indexJournal() == 0)
            _ = try await append(store, Array(entries[6...]))

            #expect(
                try await lookup(store, .eventName, "Create") == [
                    "event-9", "event-7", "event-6", "event-2", "event-0",
                ])
            #expect(
                try await lookup(store, .eventName, "Create", limit: 4) == ["event-9", "event-7", "event-6", "event-2"])
            #expect(try await lookup(store, .eventName, "Create", before: positions[2]) == ["event-0"])
            #expect(
                try await lookup(store, .eventName, "Create", start: 1_001, end: 1_007) == [
                    "event-7", "event-6", "event-2",
                ])
            #expect(try await lookup(store, .username, "alice").count == 8)
            #expect(
                try await lookup(store, .resourceName, "cluster-0") == ["event-9", "event-6", "event-3", "event-0"])
            #expect(try await lookup(store, .accessKeyId, "AKIA1", limit: 2) == ["event-9", "event-7"])

            #expect(try await lookup(store, .eventId, "event-2") == ["event-2"])
            #expect(try await lookup(store, .eventId, "event-4").isEmpty, "a data event")

            let unindexed = [
                try await lookup(store, .eventName, "Create"), try await lookup(store, .username, "alice"),
                try await lookup(store, .resourceName, "cluster-0"), try await lookup(store, .eventId, "event-8"),
            ]
            #expect(try store.indexJournal() == 4)
            let indexed = [
                try await lookup(store, .eventName, "Create"), try await lookup(store, .username, "alice"),
                try await lookup(store, .resourceName, "cluster-0"), try await lookup(store, .eventId, "event-8"),
            ]
            #expect(unindexed.last == ["event-8"])
            #expect(indexed == unindexed)
            #expect(
                try await lookup(store, .eventName, "Create", start: 1_001, end: 1_007) == [
                    "event-7", "event-6", "event-2",
                ])
        }
    }

    /// ReadOnly is indexed like the other attributes (keyed by its column's text): a lookup finds
    /// the same events through the index as in the tail, `TRUE` as `true`, and any other value
    /// as false.
    @Test func readOnlyLookupsSpanIndexAndTail() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(
                path: directory + "/state.sqlite", readDrainDelay: nil, journalIndexDelay: nil)
            var entries = (0..<8).map { entry($0, name: "Describe") }
            for index in [1, 4, 6] { entries[index].readOnly = true }
            entries[6].management = false
            var positions = try await append(store, Array(entries[..<4]))
            #expect(try store.indexJournal() == 4)
            positions += try await append(store, Array(entries[4...]))
            let reads = ["event-4", "event-1"]
            let writes = ["event-7", "event-5", "event-3", "event-2", "event-0"]
            #expect(try await lookup(store, .readOnly, "true") == reads)
            #expect(try await lookup(store, .readOnly, "TRUE") == reads)
            #expect(try await lookup(store, .readOnly, "false") == writes)
            #expect(try await lookup(store, .readOnly, "no") == writes)
            #expect(try store.indexJournal() == 4)
            // The index itself holds them: the read-only key's bits are the reads' positions.
            let key = AttributeKey.key(
                account: account, region: "us-east-1", attribute: JournalIndex.code(.readOnly) ?? 0, value: "1")
            let indexed = try await DatabaseQueue(path: directory + "/" + SQLiteStateStore.journalIndexFile).read {
                db in
                try Row.fetchAll(
                    db, sql: "SELECT block, b0, b1, b2, b3 FROM value_blocks WHERE key = ?", arguments: [key]
                )
                .flatMap { row in
                    JournalIndex.BlockBits(
                        words: (
                            UInt64(bitPattern: row[1]), UInt64(bitPattern: row[2]), UInt64(bitPattern: row[3]),
                            UInt64(bitPattern: row[4])
                        )
                    ).positions(inBlock: row[0])
                }
            }
            #expect(indexed == [positions[4], positions[1]])
            #expect(try await lookup(store, .readOnly, "True") == reads)
            #expect(try await lookup(store, .readOnly, "false") == writes)
            #expect(try await lookup(store, .readOnly, "false", limit: 2) == ["event-7", "event-5"])
        }
    }

    /// A lookup without an attribute finds the management events through the index, by their
    /// two ReadOnly keys' blocks merged, each walked between its first and last management event:
    /// pages newest first across blocks, with `before`, equal what filtering finds; with the
    /// ReadOnly keys taken out of the index, the indexed events are no longer found.
    @Test func managementEventsAreFoundThroughTheReadOnlyKeys() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(
                path: directory + "/state.sqlite", readDrainDelay: nil, journalIndexDelay: nil)
            var entries = (0..<900).map { entry($0, name: "GetObject", management: false) }
            for index in stride(from: 0, to: 900, by: 23) {
                entries[index].management = true
                entries[index].eventName = "Describe"
                entries[index].readOnly = index % 2 == 0
            }
            let positions = try await append(store, entries)
            #expect(try store.indexJournal() == 900)
            func page(before: Int64?, limit: Int) async throws -> [(position: Int64, entry: JournalEntry)] {
                try await store.read { tx in
                    try tx.events(
                        JournalQuery(account: account, region: "us-east-1", before: before, limit: limit))
                }
            }
            let expected = entries.indices.filter { entries[$0].management }.reversed()
            var found: [Int] = []
            var before: Int64?
            while true {
                let events = try await page(before: before, limit: 7)
                guard let last = events.last else { break }
                found += events.map { event in positions.firstIndex(of: event.position) ?? -1 }
                before = last.position
            }
            #expect(found == Array(expected))
            #expect(
                try await page(before: positions[500], limit: 3).map(\.entry.eventID) == [
                    "event-483", "event-460", "event-437",
                ])

            let keys = [true, false].map { readOnly in
                AttributeKey.key(
                    account: account, region: "us-east-1", attribute: JournalIndex.readOnlyCode,
                    value: readOnly ? "1" : "0")
            }
            try await DatabaseQueue(path: directory + "/" + SQLiteStateStore.journalIndexFile).write { db in
                try db.execute(
                    sql: "DELETE FROM value_blocks WHERE key IN (?, ?)", arguments: [keys[0], keys[1]])
            }
            #expect(try await page(before: nil, limit: 50).isEmpty)
        }
    }

    /// A time range becomes a range of positions through each block's event times, though times
    /// follow positions only roughly: events committed late with earlier times (a killed
    /// server's read events), and one far ahead of its neighbours. Every window finds what
    /// filtering all the events finds, before the index, part way and after.
    @Test func timeWindowsFindWhatFilteringFinds() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(
                path: directory + "/state.sqlite", readDrainDelay: nil, journalIndexDelay: nil)
            var entries = (0..<700).map { entry($0, name: $0 % 7 == 0 ? "Create" : "Describe") }
            for index in 600..<610 {
                entries[index].eventTime = Date(timeIntervalSince1970: Double(1_050 + index - 600))
            }
            entries[10].eventTime = Date(timeIntervalSince1970: 5_000)
            entries[300].management = false
            let windows: [(Double?, Double?)] = [
                (1_040, 1_060), (1_500, nil), (nil, 1_100), (1_650, 1_690), (4_000, 6_000), (1_049, 1_051),
                (1_200, 1_450), (2_000, 3_000), (nil, 999), (1_699, nil),
            ]
            var appended = 0
            func expected(_ window: (Double?, Double?), name: String?) -> [String] {
                entries[..<appended].filter { entry in
                    let time = entry.eventTime.timeIntervalSince1970
                    return entry.management && name.map { $0 == entry.eventName } ?? true
                        && time >= (window.0 ?? -.infinity) && time <= (window.1 ?? .infinity)
                }
                .reversed().map(\.eventID)
            }
            func check(_ stage: String) async throws {
                for window in windows {
                    for name in [nil, "Create"] {
                        let found = try await store.read { tx in
                            try tx.events(
                                JournalQuery(
                                    account: account, region: "us-east-1", attribute: name.map { (.eventName, $0) },
                                    start: window.0.map { Date(timeIntervalSince1970: $0) },
                                    end: window.1.map { Date(timeIntervalSince1970: $0) }, limit: 1_000))
                        }
                        #expect(
                            found.map(\.entry.eventID) == expected(window, name: name),
                            "\(stage) \(window) \(name ?? "-")")
                    }
                }
            }
            _ = try await append(store, Array(entries[..<300]))
            appended = 300
            try await check("unindexed")
            #expect(try store.indexJournal() == 300)
            _ = try await append(store, Array(entries[300...]))
            appended = entries.count
            try await check("part way")
            #expect(try store.indexJournal() == 400)
            try await check("indexed")
        }
    }

    /// The index is derived: a state file replaced beside an old index file (another journal)
    /// is indexed from its start, not looked up through the old keys.
    @Test func anIndexOfAnotherJournalIsRebuilt() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            do {
                let store = try SQLiteStateStore(path: path, readDrainDelay: nil, journalIndexDelay: nil)
                _ = try await append(store, [entry(0, name: "Old"), entry(1, name: "Old")])
                #expect(try store.indexJournal() == 2)
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = try SQLiteStateStore(path: path, readDrainDelay: nil, journalIndexDelay: nil)
            _ = try await append(store, [entry(0, name: "New")])
            #expect(try await lookup(store, .eventName, "Old").isEmpty)
            #expect(try await lookup(store, .eventName, "New") == ["event-0"])
            #expect(try store.indexJournal() == 1)
            #expect(try await lookup(store, .eventName, "Old").isEmpty)
            #expect(try await lookup(store, .eventName, "New") == ["event-0"])
        }
    }

    /// Values that share a key (``AttributeKey``) are told apart by the event: a key's block bit
    /// that points at an event of another value finds nothing.
    @Test func aSharedKeyFindsOnlyItsOwnValue() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(
                path: directory + "/state.sqlite", readDrainDelay: nil, journalIndexDelay: nil)
            let positions = try await append(store, [entry(0, name: "Create")])
            #expect(try store.indexJournal() == 1)
            let delete = AttributeKey.key(account: account, region: "us-east-1", attribute: 1, value: "Delete")
            try await DatabaseQueue(path: directory + "/" + SQLiteStateStore.journalIndexFile).write { db in
                try db.execute(
                    sql: "INSERT INTO value_blocks (key, block, b0, b1, b2, b3) VALUES (?, ?, ?, 0, 0, 0)",
                    arguments: [delete, positions[0] >> JournalIndex.blockShift, Int64(1) << (positions[0] & 63)])
            }
            #expect(try await lookup(store, .eventName, "Delete").isEmpty)
            #expect(try await lookup(store, .eventName, "Create") == ["event-0"])
        }
    }

    /// Events spread over several blocks of positions, indexed in runs that end inside a block:
    /// a lookup pages newest first through them, as it does through the journal alone.
    @Test func blocksIndexedInSeveralRunsPageNewestFirst() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(
                path: directory + "/state.sqlite", readDrainDelay: nil, journalIndexDelay: nil)
            // 700 events: every seventh a Create, every fifth by bob; runs end at 100, 300 and 700.
            let entries = (0..<700).map {
                entry($0, name: $0 % 7 == 0 ? "Create" : "Describe", user: $0 % 5 == 0 ? "bob" : "alice")
            }
            let unindexed = try await lookup(store, .eventName, "Create")
            #expect(unindexed.isEmpty)
            var walked: [[String]] = []
            for range in [0..<100, 100..<300, 300..<700] {
                _ = try await append(store, Array(entries[range]))
                walked.append(try await lookup(store, .username, "bob", limit: 1_000))
                #expect(try store.indexJournal() == range.count)
            }
            let creates = (0..<700).filter { $0 % 7 == 0 }.reversed().map { "event-\($0)" }
            #expect(try await lookup(store, .eventName, "Create", limit: 1_000) == creates)
            #expect(try await lookup(store, .username, "bob", limit: 1_000) == walked.last)
            #expect(walked.last?.count == 140)
            var paged: [String] = []
            var before: Int64?
            while true {
                let cursor = before
                let page = try await store.read { tx in
                    try tx.events(
                        JournalQuery(
                            account: account, region: "us-east-1", attribute: (.eventName, "Create"), before: cursor,
                            limit: 30))
                }
                guard let last = page.last else { break }
                paged += page.map(\.entry.eventID)
                before = last.position
            }
            #expect(paged == creates)
        }
    }

    /// An index of an earlier format is dropped and built again from the journal: text keys, a
    /// row for every key of every event, or blocks without ReadOnly's keys.
    @Test(arguments: ["event_keys", "attribute_keys", "attribute_blocks"])
    func anIndexOfAnEarlierFormatIsBuiltAgain(table: String)
        async throws
    {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let indexPath = directory + "/" + SQLiteStateStore.journalIndexFile
            do {
                let store = try SQLiteStateStore(path: path, readDrainDelay: nil, journalIndexDelay: nil)
                _ = try await append(store, [entry(0, name: "Create"), entry(1, name: "Delete")])
                #expect(try store.indexJournal() == 2)
            }
            // An earlier index with 20,000 rows: ~2 MiB of pages.
            let rows: String
            switch table {
            case "event_keys":
                rows = """
                    CREATE TABLE event_keys (
                        account TEXT NOT NULL, region TEXT NOT NULL, attribute INTEGER NOT NULL, value TEXT NOT NULL,
                        seq INTEGER NOT NULL, PRIMARY KEY (account, region, attribute, value, seq)
                    ) WITHOUT ROWID;
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                    INSERT INTO event_keys SELECT '\(account)', 'us-east-1', 1, 'Operation' || i || printf('%.40d', 0), i
                    FROM n;
                    """
            case "attribute_keys":
                rows = """
                    CREATE TABLE attribute_keys (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq))
                        WITHOUT ROWID;
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                    INSERT INTO attribute_keys SELECT -i * 1000003 - 7 * 4294967296 * i, i FROM n;
                    """
            default:
                // That format's `id_keys` is this one's: the file keeps it, and the rebuild empties it.
                rows = """
                    CREATE TABLE attribute_blocks (
                        key INTEGER NOT NULL, block INTEGER NOT NULL, b0 INTEGER NOT NULL, b1 INTEGER NOT NULL,
                        b2 INTEGER NOT NULL, b3 INTEGER NOT NULL, PRIMARY KEY (key, block)
                    ) WITHOUT ROWID;
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                    INSERT INTO attribute_blocks SELECT -i * 1000003 - 7 * 4294967296 * i, 0, i, 0, 0, 0 FROM n;
                    """
            }
            try await DatabaseQueue(path: indexPath).write { db in
                try db.execute(
                    sql: "DROP TABLE value_blocks;" + (table == "attribute_blocks" ? "" : "DROP TABLE id_keys;") + rows)
            }
            let store = try SQLiteStateStore(path: path, readDrainDelay: nil, journalIndexDelay: nil)
            #expect(try await lookup(store, .eventName, "Delete") == ["event-1"], "the journal's tail is walked")
            #expect(try store.indexJournal() == 2)
            #expect(try await lookup(store, .readOnly, "false") == ["event-1", "event-0"], "read-only keys")
            let size = try FileManager.default.attributesOfItem(atPath: indexPath)[.size] as? Int ?? 0
            #expect(size < 64 * 1024, "the dropped table's pages are given back to the file system")
            #expect(try await lookup(store, .eventName, "Delete") == ["event-1"])
            let tables = try await DatabaseQueue(path: indexPath).read {
                try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            #expect(tables == ["block_times", "id_keys", "progress", "value_blocks"])
        }
    }

    /// A journal written before event ids left the journal table's indexes keeps its events,
    /// their positions and the positions after them; they are found by id once indexed again.
    @Test func aJournalOfTheEarlierSchemaKeepsItsEventsAndPositions() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            try await writeEarlierStateFile(at: path, upTo: "journal-index-apart") { [account] db in
                for index in [1, 2, 5] {
                    try db.execute(
                        sql: """
                            INSERT INTO events (seq, event_id, account, region, event_time, event_name,
                                event_source, read_only, record) VALUES (?, ?, ?, 'us-east-1', 0, 'Old', 's', 0, '{}')
                            """, arguments: [index, "event-\(index)", account])
                }
                // The newest position was used once and its event is gone: it is not used again.
                try db.execute(sql: "DELETE FROM events WHERE seq = 5")
            }
            let store = try SQLiteStateStore(path: path, readDrainDelay: nil, journalIndexDelay: nil)
            #expect(try await append(store, [entry(9, name: "New")]) == [6])
            #expect(try store.indexJournal() == 6)
            #expect(try await lookup(store, .eventId, "event-2") == ["event-2"])
            #expect(try await lookup(store, .eventName, "Old") == ["event-2", "event-1"])
            let indexes = try await DatabaseQueue(path: path).read {
                try String.fetchAll(
                    $0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
            }
            #expect(indexes == ["events_by_account"])
        }
    }

    /// Left to itself, the store indexes what is committed shortly after the commit.
    @Test func commitsAreIndexedInTheBackground() async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: .milliseconds(1))
        _ = try await append(store, [entry(0, name: "Create"), entry(1, name: "Create")])
        var lag = try store.journalIndexLag()
        // Polled, not timed: done as soon as the indexer has run (at most 5 s).
        for _ in 0..<500 where lag > 0 {
            try await Task.sleep(for: .milliseconds(10))
            lag = try store.journalIndexLag()
        }
        #expect(lag == 0)
        #expect(try store.indexJournal() == 0)
        #expect(try await lookup(store, .eventName, "Create") == ["event-1", "event-0"])
    }
}
