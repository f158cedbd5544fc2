import Foundation

/// A reader with no snapshot behind it, for a first attempt at a read-only call: a body whose
/// answer is kept by document generation (a polled DescribeCacheClusters page) answers with no
/// read transaction at all. Every read refuses and marks the attempt, which is then run again
/// on a snapshot (``SQLiteStateStore/readHere(keptFirst:_:)``) — whatever the body made of the
/// refusal, even a `try?` that swallowed it.
struct KeptOnlyReader: StateReader {
    final class Flag {
        var neededRow = false
    }

    /// Thrown by every read: the body needs the store's rows.
    struct RowNeeded: Error {}

    /// The store's generation read when the attempt began: what is kept at this generation is
    /// what a snapshot taken then would read.
    let snapshotGeneration: Int?
    let flag = Flag()

    private func refuse() -> RowNeeded {
        flag.neededRow = true
        return RowNeeded()
    }

    func get<T: Decodable>(_ type: T.Type, kind: String, scope: String, id: String) throws -> T? { throw refuse() }
    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String) throws -> [T] { throw refuse() }
    func listAll<T: Decodable>(_ type: T.Type, kind: String) throws -> [T] { throw refuse() }
    func list<T: Decodable>(_ type: T.Type, kind: String, scope: String, after: String?, limit: Int) throws -> [T] {
        throw refuse()
    }
    func contains(kind: String, scope: String, id: String) throws -> Bool { throw refuse() }
    func fingerprint(_ read: DocumentRead) throws -> Int { throw refuse() }
    func events(_ query: JournalQuery) throws -> [(position: Int64, entry: JournalEntry)] { throw refuse() }
    func latestPosition() throws -> Int64 { throw refuse() }
    func pending(account: String, region: String, after: Int64, upTo: Int64?, limit: Int) throws
        -> [(position: Int64, entry: JournalEntry)]
    { throw refuse() }
    func regions(account: String, after: Int64) throws -> [String] { throw refuse() }
}
