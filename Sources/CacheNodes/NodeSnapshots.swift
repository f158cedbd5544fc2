import ElastiCache
import Foundation
import Logging
import Synchronization

/// Snapshots of real nodes: a new snapshot's node writes its RDB (BGSAVE), which is kept under
/// `<data>/nodes/snapshots/`; a cluster restored from a snapshot starts its new nodes with it;
/// CopySnapshot's exports read it. A snapshot whose node is gone before it saved (or is not a
/// process here) keeps no data and exports an empty RDB.
extension NodeSupervisor {
    /// Where the RDB of the snapshot kept under `dataKey` lives.
    nonisolated func snapshotFile(_ dataKey: String) -> String {
        directory + "/snapshots/" + String(dataKey.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }) + ".rdb"
    }

    /// What ElastiCache asks about snapshots' data.
    package nonisolated var snapshotData: SnapshotData {
        SnapshotData(
            saved: { [self] key in
                FileManager.default.fileExists(atPath: snapshotFile(key)) || unsaved.keys.withLock { $0.contains(key) }
            },
            bytes: { [self] key in
                FileManager.default.contents(atPath: snapshotFile(key)).map { Array($0) }
            })
    }

    /// Saves the data of each pending snapshot whose node runs here; marks the others as never
    /// to be saved. Runs before nodes of deleted clusters stop (a final snapshot needs them).
    func saveSnapshots(_ pending: [PendingSnapshot]) async {
        for snapshot in pending {
            let file = snapshotFile(snapshot.dataKey)
            guard !FileManager.default.fileExists(atPath: file),
                !unsaved.keys.withLock({ $0.contains(snapshot.dataKey) })
            else { continue }
            guard let node = running[snapshot.node], node.spec.engine != "memcached", readiness.contains(snapshot.node),
                await bgsave(snapshot.node)
            else {
                logger.warning("snapshot keeps no node data", metadata: ["snapshot": .string(snapshot.dataKey)])
                _ = unsaved.keys.withLock { $0.insert(snapshot.dataKey) }
                continue
            }
            do {
                try FileManager.default.createDirectory(
                    atPath: directory + "/snapshots", withIntermediateDirectories: true)
                try? FileManager.default.removeItem(atPath: file + ".new")
                try FileManager.default.copyItem(
                    atPath: nodeDirectory(snapshot.node) + "/dump.rdb", toPath: file + ".new")
                _ = rename(file + ".new", file)
            } catch {
                logger.error(
                    "snapshot not stored", metadata: ["snapshot": .string(snapshot.dataKey), "error": "\(error)"])
                _ = unsaved.keys.withLock { $0.insert(snapshot.dataKey) }
            }
        }
    }

    /// BGSAVE on `node` and wait (up to a minute) until it has written its RDB.
    private func bgsave(_ node: String) async -> Bool {
        guard case .simple = ask(node, ["BGSAVE"]) else { return false }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if let info = ask(node, ["INFO", "persistence"])?.text, info.contains("rdb_bgsave_in_progress:0") {
                return info.contains("rdb_last_bgsave_status:ok")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Removes the saved data no stored snapshot uses any more (deleted snapshots whose data no
    /// copy shares). Files younger than ten minutes stay: `keys` may have been read before a
    /// snapshot that a later-read pass just saved was created.
    func removeUnusedSnapshotData(keeping keys: Set<String>) {
        let folder = directory + "/snapshots"
        let kept = Set(keys.map { URL(fileURLWithPath: snapshotFile($0)).lastPathComponent })
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let settled = Date().addingTimeInterval(-600)
        for file in files where file.hasSuffix(".rdb") && !kept.contains(file) {
            let path = folder + "/" + file
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
            if let modified, modified < settled { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// A new node restored from a snapshot starts with its RDB (a node directory that existed
    /// already keeps its own data).
    func seed(_ directory: String, from dataKey: String?) {
        guard let dataKey, FileManager.default.fileExists(atPath: snapshotFile(dataKey)) else { return }
        try? FileManager.default.copyItem(atPath: snapshotFile(dataKey), toPath: directory + "/dump.rdb")
    }
}

/// Snapshots whose data will never be saved (their node was gone or is not a process here).
final class UnsavedSnapshots: Sendable {
    let keys = Mutex<Set<String>>([])
}
