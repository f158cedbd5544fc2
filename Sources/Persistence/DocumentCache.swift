import Foundation
import Synchronization

/// A document type whose decoded values the store keeps between reads, so a row read again
/// unchanged is not JSON-decoded again. Adopted by the documents every call reads (clusters,
/// the resource families, access keys).
package protocol CachedDocument: Codable, Sendable {}

/// Decoded documents by type and place (kind, scope, id), each with the bytes it was decoded
/// from. A hit is a row whose bytes equal the kept ones (a length check and a `memcmp`, cheaper
/// than hashing them), which needs no invalidation: a changed row has other bytes, and every
/// reader decodes what its own snapshot holds.
package final class DocumentCache: Sendable {
    private struct Key: Hashable {
        var type: ObjectIdentifier
        var kind: String
        var scope: String
        var id: String
    }

    private class Entry: @unchecked Sendable {
        let body: Data

        init(body: Data) { self.body = body }
    }

    /// An entry of one type: a class cast finds it, where an existential's cast would copy the
    /// value. Made only for ``CachedDocument`` types, which are `Sendable`.
    private final class Typed<T>: Entry, @unchecked Sendable {
        let value: T

        init(body: Data, value: T) {
            self.value = value
            super.init(body: body)
        }
    }

    private let entries = Mutex<[Key: Entry]>([:])
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

    /// The document `body` holds, stored at `kind`/`scope`/`id`, decoded once per distinct body.
    /// `body` may point into SQLite's row (it is copied only when kept); `decoder` is made only
    /// for a body that is not cached.
    package func decode<T: Decodable>(
        _ type: T.Type, kind: String, scope: String, id: String, from body: Data,
        with decoder: @autoclosure () -> JSONDecoder
    ) throws -> T {
        guard T.self is any CachedDocument.Type else { return try decoder().decode(T.self, from: body) }
        let key = Key(type: ObjectIdentifier(T.self), kind: kind, scope: scope, id: id)
        if let hit = entries.withLock({ $0[key] }) as? Typed<T>, hit.body == body { return hit.value }
        let value = try decoder().decode(T.self, from: body)
        let entry = Typed(body: body.withUnsafeBytes { Data($0) }, value: value)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
        return value
    }
}
