import Dispatch
import Foundation
import Persistence
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    struct Note: Codable, Sendable, Equatable { var text: String }
    struct Refused: Error {}

    /// Polls (without sleeping) until `condition` holds; false if it never does.
    private func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<5_000_000 {
            if condition() { return true }
            await Task.yield()
        }
        return false
    }

    @Test func writesThatWaitShareOneCommitAndFailAlone() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)

        // The first write holds the writer until twenty more are queued behind it.
        let gate = DispatchSemaphore(value: 0)
        let started = Atomic<Bool>(false)
        let first = Task {
            try await store.write { tx in
                started.store(true, ordering: .sequentiallyConsistent)
                gate.wait()
                try tx.put(Note(text: "first"), kind: "note", scope: "s", id: "first")
            }
        }
        #expect(await eventually { started.load(ordering: .sequentiallyConsistent) })
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
}
