import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract
import SigV4

/// ListObjectVersions: every version and delete marker, by key and newest first, with prefix,
/// delimiter, key and version-id markers. An unversioned bucket lists its objects as `null`
/// versions.
struct VersionListing {
    let context: S3Context
    let bucket: BucketRecord
    var call: OperationCall { context.call }

    func list() throws -> ShapeValue {
        let prefix = call.string(.prefix) ?? ""
        let delimiter = call.string(.delimiter)
        let maxKeys = max(0, min(call.int(.maxKeys) ?? 1000, 1000))
        let keyMarker = call.string(.keyMarker)
        let versionMarker = call.string(.versionIdMarker)
        let urlEncoded = call.string(.encodingType) == "url"
        func text(_ value: String) -> ShapeValue { .string(urlEncoded ? SigV4.encode(value, keepSlash: true) : value) }
        let owner = BucketOperations(context: context).owner()

        var versions: [ShapeValue] = []
        var markers: [ShapeValue] = []
        var prefixes: [String] = []
        var truncated = false
        var next: (key: String, versionId: String)?
        var previousKey: String?
        // A page that starts inside a key's versions does not start with its newest.
        if let keyMarker, versionMarker != nil { previousKey = keyMarker }
        try scan(after: try cursor(keyMarker: keyMarker, versionMarker: versionMarker), prefix: prefix) { version in
            let isLatest = version.key != previousKey
            previousKey = version.key
            if let delimiter, let range = version.key.dropFirst(prefix.count).range(of: delimiter) {
                let common = String(version.key[..<range.upperBound])
                if prefixes.last == common { return true }
                if versions.count + markers.count + prefixes.count >= maxKeys {
                    truncated = true
                    return false
                }
                prefixes.append(common)
                next = (common, version.versionId)
                return true
            }
            if versions.count + markers.count + prefixes.count >= maxKeys {
                truncated = true
                return false
            }
            var fields: [String: ShapeValue?] = [
                "Key": text(version.key), "VersionId": .string(version.versionId), "IsLatest": .boolean(isLatest),
                "LastModified": .timestamp(version.lastModified), "Owner": owner,
            ]
            if let object = version.object {
                fields["ETag"] = .string(object.etag)
                fields["Size"] = .integer(Int64(object.blob.size))
                fields["StorageClass"] = .string(object.storageClass)
                versions.append(.structure(ShapeFields(fields.compactMapValues { $0 })))
            } else {
                markers.append(.structure(ShapeFields(fields.compactMapValues { $0 })))
            }
            next = (version.key, version.versionId)
            return true
        }
        var fields: [String: ShapeValue?] = [
            "Name": .string(bucket.name), "Prefix": text(prefix), "MaxKeys": .integer(Int64(maxKeys)),
            "IsTruncated": .boolean(truncated), "KeyMarker": text(keyMarker ?? ""),
            "VersionIdMarker": .string(versionMarker ?? ""),
            "Versions": versions.isEmpty ? nil : .list(versions),
            "DeleteMarkers": markers.isEmpty ? nil : .list(markers),
            "CommonPrefixes": prefixes.isEmpty ? nil : .list(prefixes.map { .object(["Prefix": text($0)]) }),
            "Delimiter": delimiter.map(text), "EncodingType": urlEncoded ? .string("url") : nil,
        ]
        if truncated, let next {
            fields["NextKeyMarker"] = text(next.key)
            fields["NextVersionIdMarker"] = .string(next.versionId)
        }
        return .structure(ShapeFields(fields.compactMapValues { $0 }))
    }

    /// Where the page starts: after every version of `keyMarker`, or after its version
    /// `versionMarker`.
    private func cursor(keyMarker: String?, versionMarker: String?) throws -> String? {
        guard let keyMarker else { return nil }
        guard bucket.versioning != nil else { return keyMarker }
        if let versionMarker,
            let version = try VersionedObjects(tx: context.tx, blobs: context.blobs, bucket: bucket)
                .versions(of: keyMarker).first(where: { $0.versionId == versionMarker })
        {
            return version.id
        }
        return keyMarker + "\u{2}"
    }

    /// Versions in listing order after `cursor`, whose keys start with `prefix`, until `take`
    /// declines one.
    private func scan(after cursor: String?, prefix: String, _ take: (VersionRecord) -> Bool) throws {
        let tx = context.tx
        var cursor = cursor
        if !prefix.isEmpty && (cursor ?? "") < prefix {
            // An unversioned bucket's object named exactly the prefix sorts before the cursor.
            if bucket.versioning == nil,
                let exact = try tx.get(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, id: prefix),
                !take(
                    VersionRecord(
                        key: prefix, versionId: "null", sequence: 0, lastModified: exact.lastModified, object: exact))
            {
                return
            }
            cursor = prefix
        }
        while true {
            let batch: [VersionRecord]
            let last: String?
            if bucket.versioning != nil {
                batch = try tx.list(
                    VersionRecord.self, kind: VersionRecord.kind, scope: bucket.name, after: cursor, limit: 500)
                last = batch.last?.id
            } else {
                let objects = try tx.list(
                    ObjectRecord.self, kind: Kinds.object, scope: bucket.name, after: cursor, limit: 500)
                batch = objects.map {
                    VersionRecord(
                        key: $0.key, versionId: "null", sequence: 0, lastModified: $0.lastModified, object: $0)
                }
                last = objects.last?.key
            }
            for version in batch {
                guard version.key.hasPrefix(prefix) else {
                    if version.key > prefix { return }
                    continue
                }
                if !take(version) { return }
            }
            guard let last, batch.count == 500 else { return }
            cursor = last
        }
    }
}
