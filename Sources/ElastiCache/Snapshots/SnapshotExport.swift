import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Writes a snapshot into an S3 bucket as ElastiCache does (CopySnapshot with TargetBucket,
/// ExportServerlessCacheSnapshot): one RDB file, written by the service principal
/// `elasticache.amazonaws.com`, which the bucket's policy must let in.
package struct SnapshotExporter: Sendable {
    /// Stores `bytes` at `bucket`/`key` for `account`, the service acting for `sourceArn`
    /// (`arn:PARTITION:elasticache:*:ACCOUNT:*`); throws S3's error (NoSuchBucket,
    /// AccessDenied) when the bucket is missing or refuses the service.
    package var put:
        @Sendable (
            _ bucket: String, _ key: String, _ bytes: [UInt8], _ account: String, _ sourceArn: String,
            _ tx: any StateWriter
        ) throws -> Void

    package init(
        put:
            @escaping @Sendable (
                _ bucket: String, _ key: String, _ bytes: [UInt8], _ account: String, _ sourceArn: String,
                _ tx: any StateWriter
            )
            throws -> Void
    ) {
        self.put = put
    }
}

/// The node data behind snapshots, kept by whoever runs the nodes: whether a snapshot's data is
/// saved (or will never be: its node is gone), and its RDB bytes.
package struct SnapshotData: Sendable {
    package var saved: @Sendable (_ dataKey: String) -> Bool
    package var bytes: @Sendable (_ dataKey: String) -> [UInt8]?

    package init(
        saved: @escaping @Sendable (_ dataKey: String) -> Bool,
        bytes: @escaping @Sendable (_ dataKey: String) -> [UInt8]?
    ) {
        self.saved = saved
        self.bytes = bytes
    }
}

/// A snapshot's node saves its data: what a node pass does before anything else.
package struct PendingSnapshot: Sendable, Equatable {
    package var dataKey: String
    package var node: String
}

extension ElastiCacheService {
    /// The data keys every stored snapshot uses (node data of others is no longer needed).
    package static func snapshotDataKeys(in tx: any StateReader) throws -> Set<String> {
        Set(try tx.listAll(SnapshotRecord.self, kind: SnapshotRecord.kind).flatMap(\.dataKeys))
            .union(try tx.listAll(ServerlessSnapshotRecord.self, kind: ServerlessSnapshotRecord.kind).map(\.dataKey))
    }

    /// Snapshots still `creating` whose node's data is to be saved.
    package static func pendingSnapshots(in tx: any StateReader) throws -> [PendingSnapshot] {
        try tx.listAll(SnapshotRecord.self, kind: SnapshotRecord.kind).flatMap { snapshot -> [PendingSnapshot] in
            guard snapshot.status == .creating else { return [] }
            if let shards = snapshot.shardNodes {
                return shards.enumerated().map {
                    PendingSnapshot(dataKey: SnapshotRecord.shardKey(snapshot.dataKey, $0.offset), node: $0.element)
                }
            }
            return snapshot.sourceNode.map { [PendingSnapshot(dataKey: snapshot.dataKey, node: $0)] } ?? []
        }
            + tx.listAll(ServerlessSnapshotRecord.self, kind: ServerlessSnapshotRecord.kind).compactMap { snapshot in
                guard snapshot.status == .creating, let node = snapshot.sourceNode else { return nil }
                return PendingSnapshot(dataKey: snapshot.dataKey, node: node)
            }
    }
}

enum SnapshotExport {
    /// An empty RDB file (version 11, checksum disabled): what a snapshot of a cache that
    /// holds no data is. Control-plane snapshots here carry no data.
    static let emptyRDB: [UInt8] = Array("REDIS0011".utf8) + [0xFF] + [UInt8](repeating: 0, count: 8)

    /// Writes the RDB of the snapshot whose data is kept under `dataKey` (an empty RDB when no
    /// node data is kept for it).
    static func write(
        bucket: String, key: String, dataKey: String?, call: OperationCall, settings: ElastiCacheSettings,
        in tx: any StateWriter
    ) throws {
        guard let exporter = settings.exporter else {
            throw AWSError.invalidParameterValue("Exporting snapshots to S3 is not configured on this server.")
        }
        do {
            let data = dataKey.flatMap { settings.snapshotData?.bytes($0) } ?? emptyRDB
            let source = call.partition.arn("elasticache", region: "*", account: call.account, "*")
            try exporter.put(bucket, key, data, call.account, source, tx)
        } catch let error as AWSError {
            let reason =
                error.code == "NoSuchBucket"
                ? "The S3 bucket \(bucket) does not exist."
                : "ElastiCache has not been granted permission to write to the S3 bucket \(bucket)."
            throw AWSError.invalidParameterValue(reason)
        }
    }
}
