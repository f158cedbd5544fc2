import Foundation
import Persistence
import Testing

/// Documents read by key through SQLite's own calls (``SQLiteTransaction/get``): the keys are
/// bound as text (an empty one too, never as NULL), a missing row is nil, and a body larger than
/// a page comes back whole.
@Suite struct PointReadTests {
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
}
