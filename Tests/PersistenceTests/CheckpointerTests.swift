import Foundation
import Persistence
import Testing

@Suite struct CheckpointerTests {
    struct Page: Codable, Sendable { var text: String }

    /// A store in a new directory, given `frames`; ten journaled writes of ~40 KB each (some
    /// ten log frames each) are committed one after another.
    private func afterTenWrites(
        _ frames: (background: Int32?, inline: Int32), _ body: (SQLiteStateStore) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(
            path: directory + "/state.sqlite", readDrainDelay: nil, journalIndexDelay: nil, checkpointFrames: frames)
        for index in 0..<10 {
            try await store.write(.journaled) { tx in
                try tx.put(
                    Page(text: String(repeating: "\(index)", count: 40_000)), kind: "page", scope: "s", id: "\(index)")
            }
        }
        try await body(store)
    }

    @Test func aLongLogIsCheckpointedOnTheCheckpointersThreadNotInTheCommit() async throws {
        try await afterTenWrites((background: 20, inline: 1_000_000)) { store in
            #expect(await eventually { (store.checkpoints?.background ?? 0) >= 1 })
            let done = try #require(store.checkpoints)
            #expect(done.inline == 0)
            // The first run was asked for at 20 frames; a passive checkpoint with no reader
            // copies the whole log it finds.
            #expect(done.backgroundFrames.log >= 20)
            #expect(done.backgroundFrames.copied == done.backgroundFrames.log)
        }
    }

    @Test func withoutTheThreadACommitPastTheLimitCheckpointsItself() async throws {
        try await afterTenWrites((background: nil, inline: 20)) { store in
            let done = try #require(store.checkpoints)
            #expect(done.inline >= 1)
            #expect(done.background == 0)
        }
    }

    @Test func aStoreInMemoryHasNoCheckpoints() throws {
        #expect(try SQLiteStateStore(path: nil).checkpoints == nil)
    }
}
