import GRDB

@testable import Persistence

/// Writes a state file at `path` as a release migrated up to `migration` left it: the schema of
/// that step, filled by `fill`, then closed so that a store opening it migrates the rest.
func writeEarlierStateFile(
    at path: String, upTo migration: String, _ fill: @escaping @Sendable (Database) throws -> Void
) async throws {
    let earlier = try DatabaseQueue(path: path)
    try SQLiteStateStore.migrator.migrate(earlier, upTo: migration)
    try await earlier.write(fill)
    try earlier.close()
}
