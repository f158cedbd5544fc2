import Foundation
import Synchronization
import Testing

@testable import Persistence

/// What the writer puts is read back without decoding only for documents that round-trip
/// exactly; every other document is decoded from what the row holds.
@Suite struct ExactDocumentTests {
    /// Decodes counted per type name.
    static let decodes = Mutex<[String: Int]>([:])

    enum Exact {}
    enum Rounded {}

    /// A number whose decodes are counted by its marker's name; exact only with `Exact`.
    struct Number<Marker>: CachedDocument, Equatable {
        var value: Int

        init(value: Int) { self.value = value }

        init(from decoder: any Decoder) throws {
            ExactDocumentTests.decodes.withLock { $0["\(Marker.self)", default: 0] += 1 }
            value = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .value)
        }
    }

    typealias Counter = Number<Exact>
    typealias Stamp = Number<Rounded>

    @Test func anExactDocumentPutIsReadBackWithoutDecoding() async throws {
        let store = try SQLiteStateStore(path: nil, readDrainDelay: nil, journalIndexDelay: nil)
        let scope = UUID().uuidString
        try await store.write { tx in
            try tx.put(Counter(value: 1), kind: "test.counter", scope: scope, id: "c")
            try tx.put(Stamp(value: 1), kind: "test.stamp", scope: scope, id: "s")
        }
        let before = Self.decodes.withLock { $0 }
        let read = try await store.read { tx in
            (
                try tx.get(Counter.self, kind: "test.counter", scope: scope, id: "c"),
                try tx.get(Stamp.self, kind: "test.stamp", scope: scope, id: "s")
            )
        }
        #expect(read.0 == Counter(value: 1) && read.1 == Stamp(value: 1))
        let after = Self.decodes.withLock { $0 }
        #expect(after["Exact", default: 0] == before["Exact", default: 0], "kept by the writer")
        #expect(after["Rounded", default: 0] == before["Rounded", default: 0] + 1, "decoded from the row")
        // A put rolled back leaves the committed value what a read finds.
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.write { tx in
                try tx.put(Counter(value: 2), kind: "test.counter", scope: scope, id: "c")
                throw Refused()
            }
        }
        let again = try await store.read { tx in try tx.get(Counter.self, kind: "test.counter", scope: scope, id: "c") }
        #expect(again == Counter(value: 1))
    }
}

extension ExactDocumentTests.Number: ExactDocument where Marker == ExactDocumentTests.Exact {}
