import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Writes a snapshot into an S3 bucket as ElastiCache does (CopySnapshot with TargetBucket,
/// ExportServerlessCacheSnapshot): one RDB file, written by the service principal
/// `elasticache.amazonaws.com`, which the bucket's policy must let in.
package struct SnapshotExporter: Sendable {
    /// Stores `bytes` at `bucket`/`key` for `account`; throws S3's error (NoSuchBucket,
    /// AccessDenied) when the bucket is missing or refuses the service.
    package var put:
        @Sendable (_ bucket: String, _ key: String, _ bytes: [UInt8], _ account: String, _ tx: any StateWriter)
            throws -> Void

    package init(
        put:
            @escaping @Sendable (
                _ bucket: String, _ key: String, _ bytes: [UInt8], _ account: String, _ tx: any StateWriter
            )
            throws -> Void
    ) {
        self.put = put
    }
}

enum SnapshotExport {
    /// An empty RDB file (version 11, checksum disabled): what a snapshot of a cache that
    /// holds no data is. Control-plane snapshots here carry no data.
    static let emptyRDB: [UInt8] = Array("REDIS0011".utf8) + [0xFF] + [UInt8](repeating: 0, count: 8)

    static func write(
        bucket: String, key: String, call: OperationCall, settings: ElastiCacheSettings, in tx: any StateWriter
    ) throws {
        guard let exporter = settings.exporter else {
            throw AWSError.invalidParameterValue("Exporting snapshots to S3 is not configured on this server.")
        }
        do {
            try exporter.put(bucket, key, emptyRDB, call.account, tx)
        } catch let error as AWSError {
            let reason =
                error.code == "NoSuchBucket"
                ? "The S3 bucket \(bucket) does not exist."
                : "ElastiCache has not been granted permission to write to the S3 bucket \(bucket)."
            throw AWSError.invalidParameterValue(reason)
        }
    }
}
