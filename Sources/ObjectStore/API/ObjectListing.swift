import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract
import SigV4

/// ListObjects (v1) and ListObjectsV2: prefix, delimiter, markers, continuation tokens.
struct ObjectListing {
    let context: S3Context
    let bucket: BucketRecord
    var call: OperationCall { context.call }

    func list() throws -> ShapeValue {
        let v2 = call.operation.name == "ListObjectsV2"
        let prefix = call.string(.prefix) ?? ""
        let delimiter = call.string(.delimiter)
        let maxKeys = max(0, min(call.int(.maxKeys) ?? 1000, 1000))
        var after: String?
        if v2 {
            if let token = call.string(.continuationToken) {
                guard let data = Data(base64Encoded: token), let key = String(data: data, encoding: .utf8) else {
                    throw S3Errors.invalidArgument("The continuation token provided is incorrect")
                }
                after = key
            } else {
                after = call.string(.startAfter)
            }
        } else {
            after = call.string(.marker)
        }
        var contents: [ObjectRecord] = []
        var prefixes: [String] = []
        var last: String?
        var truncated = false
        /// Takes the next matching object in key order; false once the page is full.
        func take(_ object: ObjectRecord) -> Bool {
            if let delimiter, let range = object.key.dropFirst(prefix.count).range(of: delimiter) {
                let common = String(object.key[..<range.upperBound])
                if prefixes.last == common { return true }
                if contents.count + prefixes.count >= maxKeys {
                    truncated = true
                    return false
                }
                prefixes.append(common)
                last = common
                return true
            }
            if contents.count + prefixes.count >= maxKeys {
                truncated = true
                return false
            }
            contents.append(object)
            last = object.key
            return true
        }
        try scan(prefix: prefix, after: after, take)
        // With `encoding-type=url` every key-like value is percent-encoded, so keys holding
        // bytes XML cannot carry (control characters) still list.
        let urlEncoded = call.string(.encodingType) == "url"
        func text(_ value: String) -> ShapeValue { .string(urlEncoded ? SigV4.encode(value, keepSlash: true) : value) }
        let owner = BucketOperations(context: context).owner()
        let fetchOwner = !v2 || call[.fetchOwner]?.boolValue == true
        var fields: [String: ShapeValue?] = [
            "Name": .string(bucket.name), "Prefix": text(prefix), "MaxKeys": .integer(Int64(maxKeys)),
            "IsTruncated": .boolean(truncated),
            "Contents": contents.isEmpty
                ? nil
                : .list(
                    contents.map { object in
                        .object([
                            "Key": text(object.key), "LastModified": .timestamp(object.lastModified),
                            "ETag": .string(object.etag), "Size": .integer(Int64(object.blob.size)),
                            "StorageClass": .string(object.storageClass), "Owner": fetchOwner ? owner : nil,
                            "ChecksumAlgorithm": object.checksums.isEmpty
                                ? nil : .list(object.checksums.keys.sorted().map(ShapeValue.string)),
                        ])
                    }),
            "CommonPrefixes": prefixes.isEmpty ? nil : .list(prefixes.map { .object(["Prefix": text($0)]) }),
        ]
        if let delimiter { fields["Delimiter"] = text(delimiter) }
        if let encoding = call.string(.encodingType) { fields["EncodingType"] = .string(encoding) }
        if v2 {
            fields["KeyCount"] = .integer(Int64(contents.count + prefixes.count))
            if let token = call.string(.continuationToken) { fields["ContinuationToken"] = .string(token) }
            if let start = call.string(.startAfter) { fields["StartAfter"] = text(start) }
            if truncated, let last { fields["NextContinuationToken"] = .string(Data(last.utf8).base64EncodedString()) }
        } else {
            fields["Marker"] = text(call.string(.marker) ?? "")
            if truncated, delimiter != nil, let last { fields["NextMarker"] = text(last) }
        }
        return .structure(ShapeFields(fields.compactMapValues { $0 }))
    }

    /// Objects whose keys start with `prefix` and sort after `after`, in key order, read from
    /// the store a batch at a time (not the whole bucket) until `take` declines one.
    private func scan(prefix: String, after: String?, _ take: (ObjectRecord) -> Bool) throws {
        let tx = context.tx
        let batchSize = 1000
        // The key equal to the prefix sorts before every longer key that starts with it.
        var cursor = after
        if !prefix.isEmpty && (after ?? "") < prefix {
            if let exact = try tx.get(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, id: prefix),
                !take(exact)
            {
                return
            }
            cursor = prefix
        }
        while true {
            let batch = try tx.list(
                ObjectRecord.self, kind: Kinds.object, scope: bucket.name, after: cursor, limit: batchSize)
            for object in batch {
                guard object.key.hasPrefix(prefix) else { return }
                if !take(object) { return }
            }
            guard let final = batch.last, batch.count == batchSize else { return }
            cursor = final.key
        }
    }
}
