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

/// How many times documents of some kinds changed through a store's writes, counted together
/// (``DocumentCache/generation(of:)``). Every signed call reads the identities' count: one
/// atomic load, where a sum of each kind's own count under a lock hashed every kind's name.
package final class KindsGeneration: Sendable {
    fileprivate let kinds: Set<String>
    fileprivate let count = Atomic<Int>(0)

    fileprivate init(kinds: Set<String>) { self.kinds = kinds }

    /// Rises with every change to a document of these kinds (as it is made, and again once its
    /// commit group has its outcome): what was derived from documents of them read after reading
    /// it is current while it is unchanged.
    package var current: Int { count.load(ordering: .acquiring) }
}

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

    /// The families of kinds whose changes are counted (``generation(of:)``) and, for the
    /// running commit group, which of them it changed and whether it changed any document.
    /// ``generation`` stays an atomic of its own, read without the lock by every read.
    private let groupChanges = Mutex<(families: [KindsGeneration], touched: [Bool], any: Bool)>(([], [], false))

    /// A document of `kind` is being put or deleted (on the writer, inside a commit group).
    func noteChange(kind: String) {
        groupChanges.withLock { state in
            changes.add(1, ordering: .releasing)
            state.any = true
            for index in state.families.indices where state.families[index].kinds.contains(kind) {
                state.families[index].count.add(1, ordering: .releasing)
                state.touched[index] = true
            }
        }
    }

    /// The commit group ended (committed or not): its changes are now what readers see.
    func groupFinished() {
        groupChanges.withLock { state in
            guard state.any else { return }
            changes.add(1, ordering: .releasing)
            for index in state.touched.indices where state.touched[index] {
                state.families[index].count.add(1, ordering: .releasing)
                state.touched[index] = false
            }
            state.any = false
        }
    }

    /// Like ``generation``, for documents of `kinds` only (counted from the first time these
    /// kinds are asked for): a value derived from documents of those kinds alone stays current
    /// through writes of any other kind (identities resolved per call, under a load of creates).
    package func generation(of kinds: [String]) -> KindsGeneration {
        let wanted = Set(kinds)
        return groupChanges.withLock { state in
            if let family = state.families.first(where: { $0.kinds == wanted }) { return family }
            let family = KindsGeneration(kinds: wanted)
            state.families.append(family)
            state.touched.append(false)
            return family
        }
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
