import Foundation
import GRDB
import Testing

@testable import Persistence

/// Documents are rows by rowid found through a unique index of their keys: a state file of the
/// earlier layout (a table WITHOUT ROWID) keeps every document, in key order, and a document
/// written again is one row, changed where it is.
@Suite struct DocumentLayoutTests {
    struct Note: Codable, Sendable, Equatable { var text: String }

    @Test func documentsOfTheEarlierLayoutAreKeptAndWrittenInPlace() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            try await writeEarlierStateFile(at: path, upTo: "journal-event-id-apart") { db in
                for id in ["b", "a", "c"] {
                    try db.execute(
                        sql: "INSERT INTO documents (kind, scope, id, body) VALUES ('note', 's', ?, ?)",
                        arguments: [id, try JSONEncoder().encode(Note(text: "old \(id)"))])
                }
            }
            let store = try SQLiteStateStore(path: path, readDrainDelay: nil, journalIndexDelay: nil)
            let listed = try await store.read { tx in try tx.list(Note.self, kind: "note", scope: "s") }
            #expect(listed == ["a", "b", "c"].map { Note(text: "old \($0)") })
            let before = try await rows(path)
            try await store.write { tx in
                try tx.put(Note(text: "new b"), kind: "note", scope: "s", id: "b")
                try tx.put(Note(text: "d"), kind: "note", scope: "s", id: "d")
            }
            let page = try await store.read { tx in
                try tx.list(Note.self, kind: "note", scope: "s", after: "a", limit: 2)
            }
            #expect(page == [Note(text: "new b"), Note(text: "old c")])
            let after = try await rows(path)
            #expect(after.count == 4)
            #expect(after.filter { $0.id == "b" }.map(\.rowid) == before.filter { $0.id == "b" }.map(\.rowid))
            #expect(after.last?.id == "d", "a new document takes the next rowid")
            let schema = try await DatabaseQueue(path: path).read { db in
                (
                    table: try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'documents'") ?? "",
                    indexes: try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents'")
                )
            }
            #expect(!schema.table.contains("WITHOUT ROWID"))
            #expect(schema.indexes == ["documents_by_key"])
        }
    }

    /// The documents' rows in rowid order.
    private func rows(_ path: String) async throws -> [(rowid: Int64, id: String)] {
        try await DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, id FROM documents ORDER BY rowid").map { ($0[0], $0[1]) }
        }
    }
}
