import Foundation
import Persistence
import ServiceContract
import Testing

@testable import IAM

/// Access keys resolved once per generation of the identity kinds: an answer kept never outlives
/// a change to a key, user, role or session, and outlives changes to anything else.
struct ResolvedKeyTests {
    @Test func aKeptAnswerGoesWithTheNextChangeToAnIdentity() async throws {
        let store = try SQLiteStateStore(path: nil)
        let identities = IdentityStore(store: store)
        let generation = store.documentGeneration(of: IdentityStore.resolvedKinds)
        let clusters = store.documentGeneration(of: ["test.cluster"])
        let (root, _) = try await identities.ensureAccount("111122223333", rootKey: nil, now: Date())
        let first = try #require(try await identities.resolve(root.accessKeyId))
        #expect(first.active && first.principal.accountId == "111122223333")

        // Deactivated by a write: the next resolve reads it again.
        let before = generation.current
        try await store.write { tx in
            var key = root
            key.status = "Inactive"
            try tx.put(key, kind: Kind.accessKey, scope: Kind.global, id: key.accessKeyId)
        }
        #expect(generation.current > before)
        #expect(try await identities.resolve(root.accessKeyId)?.active == false)

        // A write that changes no identity (an event, a document of another kind) keeps it.
        let kept = generation.current
        try await store.write { tx in
            _ = try tx.appendEvent(
                JournalEntry(
                    eventID: UUID().uuidString, account: "111122223333", region: "us-east-1", eventTime: Date(),
                    eventName: "Probe", eventSource: "test", readOnly: true, username: nil, accessKeyId: nil,
                    record: "{}"))
            try tx.put(["name": "c1"], kind: "test.cluster", scope: "111122223333", id: "c1")
        }
        #expect(generation.current == kept)
        #expect(clusters.current > 0)

        // Deleted: gone at once; an unknown key is never kept.
        try await store.write { tx in
            _ = try tx.delete(kind: Kind.accessKey, scope: Kind.global, id: root.accessKeyId)
        }
        #expect(try await identities.resolve(root.accessKeyId) == nil)
        #expect(try await identities.resolve("AKIANOTAKEY000000000") == nil)
    }

    /// What is kept shows through a change the store cannot see (another process's, here a
    /// second store on the same file): kept through this store's writes of other kinds, read
    /// again after its next write of a user.
    @Test func onlyIdentityWritesReadTheKeyAgain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        let store = try SQLiteStateStore(path: path)
        let identities = IdentityStore(store: store)
        let (root, _) = try await identities.ensureAccount("111122223333", rootKey: nil, now: Date())
        #expect(try await identities.resolve(root.accessKeyId)?.active == true)

        let other = try SQLiteStateStore(path: path)
        try await other.write(.synced) { tx in
            var key = root
            key.status = "Inactive"
            try tx.put(key, kind: Kind.accessKey, scope: Kind.global, id: key.accessKeyId)
        }
        try await store.write(.synced) { tx in
            try tx.put(["name": "c1"], kind: "test.cluster", scope: "111122223333", id: "c1")
        }
        #expect(try await identities.resolve(root.accessKeyId)?.active == true)

        try await store.write(.synced) { tx in
            try tx.put(["userName": "u"], kind: Kind.user, scope: "111122223333", id: "u")
        }
        #expect(try await identities.resolve(root.accessKeyId)?.active == false)
    }
}
