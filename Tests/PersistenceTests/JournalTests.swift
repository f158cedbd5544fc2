import Foundation
import GRDB
import Testing

@testable import Persistence

@Suite struct JournalTests {
    private func entry(_ index: Int, account: String, region: String) -> JournalEntry {
        JournalEntry(
            eventID: "event-\(index)", account: account, region: region,
            eventTime: Date(timeIntervalSince1970: Double(index)), eventName: "Describe\(index % 2)",
            eventSource: "elasticache.amazonaws.com", readOnly: index % 3 == 0, username: "u", accessKeyId: "AKIA",
            record: "{}")
    }

    /// The regions delivery visits: only those with events after the cursor, per account; and
    /// ReadOnly lookups, which filter the (account, region, seq) walk, page newest first.
    @Test func regionsAfterCursorAndReadOnlyPages() async throws {
        let store = try SQLiteStateStore(path: nil)
        let layout: [(String, String)] = [
            ("111111111111", "us-east-1"), ("111111111111", "eu-west-1"), ("222222222222", "ap-south-1"),
            ("111111111111", "us-east-1"), ("111111111111", "sa-east-1"), ("111111111111", "us-east-1"),
        ]
        let positions = try await store.write { tx in
            try layout.enumerated().map { index, place in
                try tx.appendEvent(self.entry(index, account: place.0, region: place.1))
            }
        }
        try await store.read { tx in
            #expect(try tx.regions(account: "111111111111", after: 0) == ["eu-west-1", "sa-east-1", "us-east-1"])
            #expect(try tx.regions(account: "111111111111", after: positions[3]) == ["sa-east-1", "us-east-1"])
            #expect(try tx.regions(account: "111111111111", after: positions[5]).isEmpty)
            #expect(try tx.regions(account: "222222222222", after: 0) == ["ap-south-1"])
            #expect(try tx.regions(account: "333333333333", after: 0).isEmpty)

            var query = JournalQuery(account: "111111111111", region: "us-east-1", limit: 1)
            query.attribute = (.readOnly, "true")
            let newest = try tx.events(query)
            #expect(newest.map(\.entry.eventID) == ["event-3"])
            query.before = newest.last?.position
            #expect(try tx.events(query).map(\.entry.eventID) == ["event-0"])
            query.attribute = (.readOnly, "false")
            query.before = nil
            query.limit = 5
            #expect(try tx.events(query).map(\.entry.eventID) == ["event-5"])
        }
    }
}

/// The request path's read connections (``RequestReaders``) end every read transaction: a
/// connection reused after a read that failed sees what was committed since.
@Suite struct RequestReadersTests {
    private struct Failed: Error {}

    @Test func aReadThatFailedKeepsNoSnapshot() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStateStore(path: directory + "/state.sqlite", readDrainDelay: nil)
            #expect(try store.readHere { try $0.latestPosition() } == 0)
            #expect(throws: Failed.self) {
                try store.readHere { reader -> Int64 in
                    _ = try reader.latestPosition()
                    throw Failed()
                }
            }
            try await store.write { tx in
                _ = try tx.appendEvent(
                    JournalEntry(
                        eventID: "e", account: "111111111111", region: "us-east-1", eventTime: Date(),
                        eventName: "Create", eventSource: "s", readOnly: false, username: nil, accessKeyId: nil,
                        record: "{}"))
            }
            #expect(try store.readHere { try $0.latestPosition() } == 1)
        }
    }
}
