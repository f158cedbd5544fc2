import Foundation
import Logging
import Testing

@testable import CacheNodes

/// Saved snapshot data goes once no stored snapshot uses it (and it is not brand new).
struct SnapshotDataTests {
    @Test func dataNoSnapshotUsesIsRemovedOnceItIsOld() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snapshots-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let supervisor = try NodeSupervisor(
            engines: NodeEngines(programs: [:]), portRange: 30_000...30_010, host: "127.0.0.1",
            dataDirectory: directory, logger: Logger(label: "test"))
        try FileManager.default.createDirectory(
            atPath: directory + "/nodes/snapshots", withIntermediateDirectories: true)
        let hourAgo = Date().addingTimeInterval(-3600)
        for (key, date) in [("arn:kept", hourAgo), ("arn:deleted", hourAgo), ("arn:just-saved", Date())] {
            let path = supervisor.snapshotFile(key)
            #expect(FileManager.default.createFile(atPath: path, contents: Data("REDIS".utf8)))
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        }
        await supervisor.removeUnusedSnapshotData(keeping: ["arn:kept"])
        #expect(FileManager.default.fileExists(atPath: supervisor.snapshotFile("arn:kept")))
        #expect(!FileManager.default.fileExists(atPath: supervisor.snapshotFile("arn:deleted")))
        #expect(FileManager.default.fileExists(atPath: supervisor.snapshotFile("arn:just-saved")))
    }
}
