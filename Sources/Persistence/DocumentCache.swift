import Foundation
import Synchronization

/// A document type whose decoded values the store keeps between reads, so a row read again
/// unchanged is not JSON-decoded again. Adopted by the documents every call reads (clusters,
/// the resource families, access keys).
package protocol CachedDocument: Codable, Sendable {}

/// Decoded documents by type and by their stored bytes. A hit is a row whose bytes hash and
/// length equal an earlier read's (the hasher is seeded per process, so rows cannot be made to
/// collide on purpose), which needs no invalidation: a changed row has other bytes, and every
/// reader decodes what its own snapshot holds.
package final class DocumentCache: Sendable {
    private struct Key: Hashable {
        var type: ObjectIdentifier
        var digest: Int
        var count: Int
    }

    private let entries = Mutex<[Key: any CachedDocument]>([:])
    private let capacity: Int
    private let changes = Atomic<Int>(0)
    private let changed = Atomic<Bool>(false)

    /// Rises whenever a write puts or deletes a document, and again once that write's commit
    /// group has its outcome: a value derived from documents read after reading this number is
    /// still current while the number is unchanged.
    package var generation: Int { changes.load(ordering: .acquiring) }

    /// A document is being put or deleted (on the writer, inside a commit group).
    func noteChange() {
        changed.store(true, ordering: .relaxed)
        changes.add(1, ordering: .releasing)
    }

    /// The commit group ended (committed or not): its changes are now what readers see.
    func groupFinished() {
        if changed.exchange(false, ordering: .relaxed) { changes.add(1, ordering: .releasing) }
    }

    /// At most `capacity` documents are kept; a full cache starts over.
    package init(capacity: Int = 4_096) {
        self.capacity = capacity
    }

    /// The document `body` holds, decoded once per distinct body.
    /// `decoder` is made only for a body that is not cached.
    package func decode<T: Decodable>(
        _ type: T.Type, from body: Data, with decoder: @autoclosure () -> JSONDecoder
    ) throws -> T {
        guard T.self is any CachedDocument.Type else { return try decoder().decode(T.self, from: body) }
        var hasher = Hasher()
        body.withUnsafeBytes { hasher.combine(bytes: $0) }
        let key = Key(type: ObjectIdentifier(T.self), digest: hasher.finalize(), count: body.count)
        if let hit = entries.withLock({ $0[key] }) as? T { return hit }
        let value = try decoder().decode(T.self, from: body)
        if let document = value as? any CachedDocument {
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
                entries[key] = document
            }
        }
        return value
    }
}
