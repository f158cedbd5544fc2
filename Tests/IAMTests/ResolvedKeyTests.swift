import Foundation
import Persistence
import ServiceContract
import Testing

@testable import IAM

/// Access keys resolved once per document generation: an answer kept never outlives a change.
struct ResolvedKeyTests {
    @Test func aKeptAnswerGoesWithTheNextChangeToAnyDocument() async throws {
        let store = try SQLiteStateStore(path: nil)
        let identities = IdentityStore(store: store)
        let (root, _) = try await identities.ensureAccount("111122223333", rootKey: nil, now: Date())
        let first = try #require(try await identities.resolve(root.accessKeyId))
        #expect(first.active && first.principal.accountId == "111122223333")

        // Deactivated by a write: the next resolve reads it again.
        let before = store.documentGeneration
        try await store.write { tx in
            var key = root
            key.status = "Inactive"
            try tx.put(key, kind: Kind.accessKey, scope: Kind.global, id: key.accessKeyId)
        }
        #expect(store.documentGeneration > before)
        #expect(try await identities.resolve(root.accessKeyId)?.active == false)

        // A write that changes no document (an event alone) keeps what was resolved.
        let kept = store.documentGeneration
        try await store.write { tx in
            _ = try tx.appendEvent(
                JournalEntry(
                    eventID: UUID().uuidString, account: "111122223333", region: "us-east-1", eventTime: Date(),
                    eventName: "Probe", eventSource: "test", readOnly: true, username: nil, accessKeyId: nil,
                    record: "{}"))
        }
        #expect(store.documentGeneration == kept)

        // Deleted: gone at once; an unknown key is never kept.
        try await store.write { tx in
            _ = try tx.delete(kind: Kind.accessKey, scope: Kind.global, id: root.accessKeyId)
        }
        #expect(try await identities.resolve(root.accessKeyId) == nil)
        #expect(try await identities.resolve("AKIANOTAKEY000000000") == nil)
    }
}
