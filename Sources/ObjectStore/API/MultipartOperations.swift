import AWSModels
import AWSWire
import Crypto
import Foundation
import Persistence
import ServiceContract
import SigV4

/// Multipart uploads: Create, UploadPart, Complete, Abort, ListParts, ListMultipartUploads.
struct MultipartOperations {
    /// Every part but the last must be at least 5 MiB.
    static let minimumPartSize = 5 * 1024 * 1024

    let objects: ObjectOperations
    var call: OperationCall { objects.call }
    var tx: any StateWriter { objects.tx }
    var bucket: BucketRecord { objects.bucket }

    func upload() throws -> UploadRecord {
        let id = try call.required(.uploadId)
        guard let upload = try tx.get(UploadRecord.self, kind: Kinds.upload, scope: bucket.name, id: id),
            upload.key == call.string(.key)
        else { throw S3Errors.noSuchUpload }
        return upload
    }

    func handle() throws -> ShapeValue? {
        switch call.operation.name {
        case "CreateMultipartUpload":
            let key = try call.required(.key)
            let sse = try objects.encryption()
            let upload = UploadRecord(
                uploadId: UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + SigV4Hex.random(),
                key: key, initiated: call.now, initiator: call.principal.arn,
                contentType: call.string(.contentType) ?? "binary/octet-stream", metadata: objects.metadata(),
                headers: objects.headers(), checksumAlgorithm: call.string(.checksumAlgorithm),
                serverSideEncryption: sse.algorithm, kmsKeyId: sse.kmsKeyId, parts: [:])
            try tx.put(upload, kind: Kinds.upload, scope: bucket.name, id: upload.uploadId)
            return .object([
                "Bucket": .string(bucket.name), "Key": .string(key), "UploadId": .string(upload.uploadId),
                "ServerSideEncryption": .string(sse.algorithm), "SSEKMSKeyId": sse.kmsKeyId.map(ShapeValue.string),
                "ChecksumAlgorithm": upload.checksumAlgorithm.map(ShapeValue.string),
            ])
        case "UploadPart": return try uploadPart()
        case "CompleteMultipartUpload": return try complete()
        case "AbortMultipartUpload":
            let upload = try upload()
            try tx.deleteUpload(upload, bucket: bucket.name, blobs: objects.context.blobs)
            return nil
        case "ListParts":
            let upload = try upload()
            let marker = call.int(.partNumberMarker) ?? 0
            let maxParts = max(1, min(call.int(.maxParts) ?? 1000, 1000))
            let parts = upload.parts.values.sorted { $0.number < $1.number }.filter { $0.number > marker }
            let page = parts.prefix(maxParts)
            return .object([
                "Bucket": .string(bucket.name), "Key": .string(upload.key), "UploadId": .string(upload.uploadId),
                "PartNumberMarker": .integer(Int64(marker)), "MaxParts": .integer(Int64(maxParts)),
                "IsTruncated": .boolean(parts.count > maxParts),
                "NextPartNumberMarker": page.last.map { .integer(Int64($0.number)) },
                "Parts": page.isEmpty
                    ? nil
                    : .list(
                        page.map { part in
                            var fields: ShapeFields = [
                                "PartNumber": .integer(Int64(part.number)), "ETag": .string(part.etag),
                                "Size": .integer(Int64(part.size)), "LastModified": .timestamp(part.lastModified),
                            ]
                            for (name, value) in part.checksums { fields["Checksum\(name)"] = .string(value) }
                            return .structure(fields)
                        }),
                "StorageClass": .string("STANDARD"),
            ])
        default:
            let uploads = try tx.list(UploadRecord.self, kind: Kinds.upload, scope: bucket.name)
                .filter { $0.key.hasPrefix(call.string(.prefix) ?? "") }
                .sorted { ($0.key, $0.initiated) < ($1.key, $1.initiated) }
            let urlEncoded = call.string(.encodingType) == "url"
            return .object([
                "Bucket": .string(bucket.name), "IsTruncated": .boolean(false),
                "EncodingType": urlEncoded ? .string("url") : nil,
                "MaxUploads": .integer(Int64(call.int(.maxUploads) ?? 1000)),
                "Uploads": uploads.isEmpty
                    ? nil
                    : .list(
                        uploads.map {
                            .object([
                                "UploadId": .string($0.uploadId),
                                "Key": .string(urlEncoded ? SigV4.encode($0.key, keepSlash: true) : $0.key),
                                "Initiated": .timestamp($0.initiated),
                                "StorageClass": .string("STANDARD"),
                            ])
                        }),
            ])
        }
    }

    private func uploadPart() throws -> ShapeValue {
        var upload = try upload()
        guard let number = call.int(.partNumber), (1...10_000).contains(number) else {
            throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        }
        let stored = try objects.storedBody()
        let part = UploadRecord.Part(
            number: number, etag: stored.etag, size: stored.blob.size, blob: stored.blob, lastModified: call.now,
            md5: stored.md5, checksums: stored.checksums)
        if let replaced = upload.parts[number] { objects.context.blobs.release([replaced.blob], after: tx) }
        upload.parts[number] = part
        try tx.put(upload, kind: Kinds.upload, scope: bucket.name, id: upload.uploadId)
        var fields: ShapeFields = [
            "ETag": .string(part.etag), "ServerSideEncryption": .string(upload.serverSideEncryption),
        ]
        for (name, value) in stored.checksums { fields["Checksum\(name)"] = .string(value) }
        return .structure(fields)
    }

    private func complete() throws -> ShapeValue {
        let upload = try upload()
        let requested = call[.multipartUpload]?[member: "Parts"]?.listValue ?? []
        guard !requested.isEmpty else { throw S3Errors.malformedXML }
        var chosen: [UploadRecord.Part] = []
        for entry in requested {
            guard let number = entry[member: "PartNumber"]?.intValue, let etag = entry[member: "ETag"]?.stringValue,
                let part = upload.parts[Int(number)],
                part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    == etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            else { throw S3Errors.invalidPart }
            if let previous = chosen.last, previous.number >= part.number { throw S3Errors.invalidPartOrder }
            chosen.append(part)
        }
        for part in chosen.dropLast() where part.size < Self.minimumPartSize { throw S3Errors.entityTooSmall }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(chosen.reduce(0) { $0 + $1.size })
        for part in chosen { bytes.append(contentsOf: try objects.context.blobs.read(part.blob)) }
        let etag = "\"\(ChecksumAlgorithm.md5Hex(chosen.flatMap(\.md5)))-\(chosen.count)\""
        var checksums: [String: String] = [:]
        if let algorithm = upload.checksumAlgorithm.flatMap(ChecksumAlgorithm.init(rawValue:)) {
            checksums[algorithm.rawValue] = algorithm.digest(bytes)
        }
        let object = ObjectRecord(
            key: upload.key, blob: try objects.context.blobs.write(bytes, for: tx), etag: etag, lastModified: call.now,
            contentType: upload.contentType, metadata: upload.metadata, headers: upload.headers, checksums: checksums,
            storageClass: "STANDARD", serverSideEncryption: upload.serverSideEncryption, kmsKeyId: upload.kmsKeyId,
            partsCount: chosen.count)
        var locked = object
        try ObjectLock(context: objects.context, bucket: bucket).apply(to: &locked)
        var versions = objects.versions
        let stored = try versions.put(locked)
        try tx.deleteUpload(upload, bucket: bucket.name, blobs: objects.context.blobs)
        return .object([
            "Location": .string("/\(bucket.name)/\(upload.key)"), "Bucket": .string(bucket.name),
            "Key": .string(upload.key),
            "ETag": .string(etag), "ServerSideEncryption": .string(upload.serverSideEncryption),
            "VersionId": objects.versionId(of: stored),
        ])
    }
}

enum SigV4Hex {
    /// 16 random hex characters.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx", generator.next() as UInt64)
    }
}
