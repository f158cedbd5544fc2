import Foundation
import Synchronization

/// A document type whose decoded values the store keeps between reads, so a row read again
/// unchanged is not JSON-decoded again. Adopted by the documents every call reads (clusters,
/// the resource families, access keys).
package protocol CachedDocument: Codable, Sendable {}

/// A cached document whose stored form decodes to the value it was made from (integers and
/// strings; no dates or floating point, which the JSON form may round): the writer keeps the
/// value it puts, so reading it back decodes nothing (a counter rewritten by every create).
package protocol ExactDocument: CachedDocument {}

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

    /// A page of a listing (`list(kind:scope:after:limit:)`) as a read transaction found it.
    private struct PageKey: Hashable {
        var type: ObjectIdentifier
        var kind: String
        var scope: String
        var after: String?
        var limit: Int
    }

    private class PageEntry: @unchecked Sendable {
        let generation: Int

        init(generation: Int) { self.generation = generation }
    }

    private final class TypedPage<T>: PageEntry, @unchecked Sendable {
        let values: [T]

        init(generation: Int, values: [T]) {
            self.values = values
            super.init(generation: generation)
        }
    }

    private let pages = Mutex<[PageKey: PageEntry]>([:])
    /// Pages kept at most (a full set starts over): the pages being polled, not a whole listing.
    private static let pageCapacity = 64
    private let changes = Atomic<Int>(0)

    /// Rises whenever a write puts or deletes a document, and again once that write's commit
    /// group has its outcome: a value derived from documents read after reading this number is
    /// still current while the number is unchanged.
    package var generation: Int { changes.load(ordering: .acquiring) }

    /// Each kind's own count of changes, moving as ``generation`` does but only for documents of
    /// that kind, and the kinds the running commit group changed (none: the group changed no
    /// document). ``generation`` stays an atomic of its own, read without the lock by every read.
    private let kindChanges = Mutex<(counts: [String: Int], inGroup: Set<String>)>(([:], []))

    /// A document of `kind` is being put or deleted (on the writer, inside a commit group).
    func noteChange(kind: String) {
        kindChanges.withLock { state in
            changes.add(1, ordering: .releasing)
            state.counts[kind, default: 0] += 1
            state.inGroup.insert(kind)
        }
    }

    /// The commit group ended (committed or not): its changes are now what readers see.
    func groupFinished() {
        kindChanges.withLock { state in
            guard !state.inGroup.isEmpty else { return }
            changes.add(1, ordering: .releasing)
            for kind in state.inGroup { state.counts[kind, default: 0] += 1 }
            state.inGroup.removeAll(keepingCapacity: true)
        }
    }

    /// Like ``generation``, for documents of `kinds` only: a value derived from documents of
    /// those kinds alone stays current through writes of any other kind (identities resolved
    /// per call, under a load of creates).
    package func generation(of kinds: [String]) -> Int {
        kindChanges.withLock { state in kinds.reduce(0) { $0 + (state.counts[$1] ?? 0) } }
    }

    /// At most `capacity` documents are kept; a full cache starts over.
    package init(capacity: Int = 4_096) {
        self.capacity = capacity
    }

    /// The page `read` lists, from a read transaction whose snapshot is no older than the state
    /// at `generation` (read before its first statement): kept with that generation and used
    /// again while the generation has not moved — this store put or deleted no document since, so
    /// the same page would be read (a repeated Describe skips SQLite). Only ``CachedDocument``
    /// types, and only kinds no other process writes (another process's change does not move the
    /// generation: `account create` writes identities, which are not listed by page).
    func page<T: Decodable>(
        _ type: T.Type, kind: String, scope: String, after: String?, limit: Int, generation: Int,
        read: () throws -> [T]
    ) throws -> [T] {
        guard T.self is any CachedDocument.Type else { return try read() }
        let key = PageKey(type: ObjectIdentifier(T.self), kind: kind, scope: scope, after: after, limit: limit)
        if let hit = pages.withLock({ $0[key] }) as? TypedPage<T>, hit.generation == generation { return hit.values }
        let values = try read()
        let entry = TypedPage(generation: generation, values: values)
        pages.withLock { pages in
            if pages.count >= Self.pageCapacity { pages.removeAll(keepingCapacity: true) }
            pages[key] = entry
        }
        return values
    }

    /// Keeps `value`, just encoded as `body` for `kind`/`scope`/`id`, as that body's decoded
    /// value (only for ``ExactDocument`` types). A body whose write is rolled back is never read
    /// back, and an equal body committed later holds an equal value.
    func keep<T>(_ value: T, as type: T.Type, kind: String, scope: String, id: String, body: Data) {
        guard T.self is any ExactDocument.Type else { return }
        keep(Typed(body: body, value: value), at: Key(type: ObjectIdentifier(T.self), kind: kind, scope: scope, id: id))
    }

    /// Keeps `entry` for `key` (a full cache starts over).
    private func keep(_ entry: Entry, at key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
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
        keep(Typed(body: body.withUnsafeBytes { Data($0) }, value: value), at: key)
        return value
    }
}
