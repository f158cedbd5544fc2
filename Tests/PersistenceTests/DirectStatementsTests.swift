import Foundation
import Persistence
import Testing

/// Documents read and written, and journal rows inserted, through SQLite's own calls: keys are
/// bound as text (an empty one too, never as NULL), a missing row is nil, a body larger than a
/// page comes back whole, an empty body is an empty blob (the column refuses NULL), and absent
/// journal values are NULL where the schema allows them.
@Suite struct DirectStatementsTests {
    struct Note: Codable, Sendable, Equatable { var text: String }

    @Test func keysBindAsTextAndMissingRowsAreNil() async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: nil)
        let long = Note(text: String(repeating: "x", count: 20_000))
        try await store.write { tx in
            try tx.put(Note(text: "empty keys"), kind: "note", scope: "", id: "")
            try tx.put(long, kind: "note", scope: "s", id: "long")
            // Read back inside the same transaction, before it commits.
            #expect(try tx.get(Note.self, kind: "note", scope: "s", id: "long") == long)
        }
        let found = try await store.read { tx in
            (
                empty: try tx.get(Note.self, kind: "note", scope: "", id: ""),
                long: try tx.get(Note.self, kind: "note", scope: "s", id: "long"),
                missing: try tx.get(Note.self, kind: "note", scope: "s", id: "absent"),
                otherKind: try tx.get(Note.self, kind: "other", scope: "", id: "")
            )
        }
        #expect(found.empty == Note(text: "empty keys"))
        #expect(found.long == long)
        #expect(found.missing == nil)
        #expect(found.otherKind == nil)
    }

    @Test func aBodyThatIsNotTheTypeFailsToDecode() async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: nil)
        try await store.write { tx in try tx.put(["not": 1], kind: "note", scope: "s", id: "n") }
        await #expect(throws: (any Error).self) {
            try await store.read { tx in try tx.get(Note.self, kind: "note", scope: "s", id: "n") }
        }
    }

    @Test func anEmptyBodyIsStoredAsAnEmptyBlob() async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: nil)
        try await store.write { tx in try tx.put(body: Data(), kind: "raw", scope: "s", id: "empty") }
        let found = try await store.read { tx in try tx.contains(kind: "raw", scope: "s", id: "empty") }
        #expect(found)
    }

    @Test func journalRowsKeepEveryValueAndTheirOrder() async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: nil)
        let time = Date(timeIntervalSince1970: 1_700_000_000.25)
        let entries = [
            JournalEntry(
                eventID: "e1", account: "111122223333", region: "us-east-1", eventTime: time,
                eventName: "CreateCacheCluster",
                eventSource: "elasticache.amazonaws.com", readOnly: false, username: "alice",
                accessKeyId: "AKIAEXAMPLE",
                record: "{\"eventID\":\"e1\"}"),
            JournalEntry(
                eventID: "e2", account: "111122223333", region: "us-east-1", eventTime: time,
                eventName: "DescribeCacheClusters",
                eventSource: "elasticache.amazonaws.com", readOnly: true, username: nil, accessKeyId: nil,
                record: "{\"eventID\":\"e2\"}", resourceArn: "arn:aws:elasticache:us-east-1:111122223333:cluster:c",
                resourceType: "AWS::ElastiCache::CacheCluster", resourceName: "c"),
        ]
        let positions = try await store.write { tx in try entries.map { try tx.appendEvent($0) } }
        #expect(positions[1] == positions[0] + 1)
        let read = try await store.read { tx in
            try tx.events(JournalQuery(account: "111122223333", region: "us-east-1", limit: 10))
        }
        #expect(read.map(\.position) == positions.reversed())
        #expect(read.map(\.entry) == entries.reversed())
    }

    /// A drain of read events binds each row's texts in place from one buffer: every row keeps
    /// its own values (an empty text stays empty, not NULL; text beyond ASCII and longer than a
    /// page comes back whole), whatever the row before it held, and its place in the order,
    /// whether inserted alone or sixteen to a statement (37: two such statements and five alone).
    @Test(arguments: [3, 37]) func drainedReadEventsKeepEveryValue(count: Int) async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: nil)
        let time = Date(timeIntervalSince1970: 1_700_000_000.5)
        let entries = (0..<count).map { index -> JournalEntry in
            let kind = index % 3
            let record = String(repeating: "\u{00E9}record\(index)", count: kind == 0 ? 1_000 : 1)
            return JournalEntry(
                eventID: "r\(index)", account: "111122223333", region: kind == 1 ? "eu-west-3" : "us-east-1",
                eventTime: time.addingTimeInterval(Double(index)), eventName: "Describe\(index)",
                eventSource: "elasticache.amazonaws.com", readOnly: true,
                username: kind == 0 ? "" : "z\u{00E9}\u{2713}",
                accessKeyId: kind == 2 ? "AKIA" : nil, record: record,
                resourceArn: kind == 1 ? "arn:aws:elasticache:eu-west-3:111122223333:cluster:c" : nil)
        }
        try store.appendReadEvents(entries)
        try await store.flushReadEvents()
        for region in ["us-east-1", "eu-west-3"] {
            let read = try await store.read { tx in
                try tx.pending(account: "111122223333", region: region, after: 0, upTo: nil, limit: 100)
            }
            #expect(read.map(\.entry) == entries.filter { $0.region == region })
            #expect(read.map(\.position) == read.map(\.position).sorted())
        }
        let newest = try await store.read { tx in try tx.latestPosition() }
        #expect(newest == Int64(count))
    }
}
