import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// PutObject, GetObject, HeadObject, DeleteObject(s), CopyObject.
struct ObjectOperations {
    let context: S3Context
    let bucket: BucketRecord
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    /// Standard headers stored with an object and returned on GET and HEAD.
    static let storedHeaders: [MemberName] = [.cacheControl, .contentDisposition, .contentEncoding, .contentLanguage]

    func stored(_ key: String) throws -> ObjectRecord {
        guard let object = try tx.get(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, id: key) else {
            throw S3Errors.noSuchKey
        }
        return object
    }

    /// The bucket's objects as its versioning writes them.
    var versions: VersionedObjects { VersionedObjects(tx: tx, blobs: context.blobs, bucket: bucket) }

    /// The object a read names: the version `versionId`, else the current one. A delete marker
    /// named by version is S3's MethodNotAllowed.
    func stored(_ key: String, versionId: String?) throws -> ObjectRecord {
        guard let versionId else { return try stored(key) }
        guard let version = try versions.version(key: key, versionId: versionId) else {
            throw versionId.isEmpty
                ? S3Errors.invalidArgument("Invalid version id specified") : S3Errors.noSuchVersion
        }
        guard let object = version.object else {
            throw AWSError(
                code: "MethodNotAllowed", message: "The specified method is not allowed against this resource.",
                httpStatus: 405)
        }
        return object
    }

    /// The `VersionId` a response names for `object`: its id, `null`, or none when unversioned.
    func versionId(of object: ObjectRecord) -> ShapeValue? {
        bucket.versioning == nil ? nil : .string(object.versionId ?? "null")
    }

    func body() -> [UInt8] {
        if case .blob(let bytes)? = call[.body] { return bytes }
        return []
    }

    /// The body's file, ETag and verified checksums: staged before the transaction
    /// (``S3Service/stage(_:)``), else made here (a staging that failed is answered here).
    func storedBody() throws -> StagedBody {
        if let staged = call.staged as? StagedBody { return staged }
        let bytes = body()
        let md5 = StagedBody.md5(bytes)
        let checksums = try StagedBody.verifiedChecksums(bytes, md5: md5, of: call)
        return StagedBody(blob: try context.blobs.write(bytes, for: tx), checksums: checksums, md5: md5)
    }

    /// The encryption an upload gets: the request's headers, else the bucket default.
    func encryption() throws -> (algorithm: String, kmsKeyId: String?) {
        let rule = (bucket.encryption ?? BucketOperations.defaultEncryption)[member: "Rules"]?.listValue?.first?[
            member: "ApplyServerSideEncryptionByDefault"]
        let algorithm = call.string(.serverSideEncryption) ?? rule?[member: "SSEAlgorithm"]?.stringValue ?? "AES256"
        guard ["AES256", "aws:kms", "aws:kms:dsse"].contains(algorithm) else {
            throw S3Errors.invalidArgument("Server Side Encryption with \(algorithm) is not supported.")
        }
        var keyId = call.string(.ssekmsKeyId) ?? rule?[member: "KMSMasterKeyID"]?.stringValue
        if algorithm.hasPrefix("aws:kms") && keyId == nil {
            keyId = Partition(region: bucket.region).arn(
                "kms", region: bucket.region, account: bucket.owner, "alias/aws/s3")
        }
        return (algorithm, algorithm.hasPrefix("aws:kms") ? keyId : nil)
    }

    func metadata() -> [String: String] {
        guard case .map(let entries)? = call[.metadata] else { return [:] }
        return entries.compactMapValues(\.stringValue)
    }

    /// `x-amz-tagging: key=value&key2=value2`.
    func tags() throws -> [String: String]? {
        guard let text = call.string(.tagging) else { return nil }
        var tags: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            tags[key] = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
        }
        guard tags.count <= 10 else { throw S3Errors.invalidArgument("Object tags cannot be greater than 10") }
        return tags
    }

    /// Archived objects become readable for `Days` (at once here; S3 takes hours).
    func restore() throws -> ShapeValue? {
        var object = try stored(try call.required(.key))
        guard ["GLACIER", "DEEP_ARCHIVE"].contains(object.storageClass) else {
            throw AWSError(
                code: "InvalidObjectState", message: "Restore is not allowed for the object's current storage class",
                httpStatus: 403)
        }
        let days = call[.restoreRequest]?[member: "Days"]?.intValue ?? 1
        let alreadyRestored = object.restoredUntil.map { $0 > call.now } ?? false
        object.restoredUntil = call.now.addingTimeInterval(TimeInterval(days) * 86_400)
        try tx.put(object, kind: Kinds.object, scope: bucket.name, id: object.key)
        return .object(["StatusCode": .integer(alreadyRestored ? 200 : 202)])
    }

    func headers() -> [String: String] {
        var out: [String: String] = [:]
        for name in Self.storedHeaders { out[name.rawValue] = call.string(name) }
        return out
    }

    func put() throws -> ShapeValue {
        let key = try call.required(.key)
        let sse = try encryption()
        let stored = try storedBody()
        let object = ObjectRecord(
            key: key, blob: stored.blob, etag: stored.etag, lastModified: call.now,
            contentType: call.string(.contentType) ?? "binary/octet-stream",
            metadata: metadata(),
            headers: headers(), checksums: stored.checksums, storageClass: call.string(.storageClass) ?? "STANDARD",
            serverSideEncryption: sse.algorithm, kmsKeyId: sse.kmsKeyId, partsCount: nil, tags: try tags())
        var locked = object
        try ObjectLock(context: context, bucket: bucket).apply(to: &locked)
        var versions = self.versions
        return writeResult(try versions.put(locked))
    }

    func writeResult(_ object: ObjectRecord) -> ShapeValue {
        var fields: ShapeFields = [
            "ETag": .string(object.etag), "ServerSideEncryption": .string(object.serverSideEncryption),
        ]
        if let kms = object.kmsKeyId { fields["SSEKMSKeyId"] = .string(kms) }
        for (name, value) in object.checksums { fields["Checksum\(name)"] = .string(value) }
        fields["VersionId"] = versionId(of: object)
        return .structure(fields)
    }

    func get(head: Bool) throws -> ShapeValue {
        let object = try stored(try call.required(.key), versionId: call.string(.versionId))
        let restored = object.restoredUntil.map { $0 > call.now } ?? false
        if ["GLACIER", "DEEP_ARCHIVE"].contains(object.storageClass) && !head && !restored {
            throw AWSError(
                code: "InvalidObjectState", message: "The operation is not valid for the object's storage class",
                httpStatus: 403)
        }
        try checkConditions(object)
        var range: Range<Int>?
        if let header = call.string(.range) {
            range = try Self.parseRange(header, size: object.blob.size)
        }
        var fields: ShapeFields = [
            "ETag": .string(object.etag), "LastModified": .timestamp(object.lastModified),
            "ContentType": .string(object.contentType), "AcceptRanges": .string("bytes"),
            "ServerSideEncryption": .string(object.serverSideEncryption),
            "ContentLength": .integer(Int64(range?.count ?? object.blob.size)),
        ]
        if let kms = object.kmsKeyId { fields["SSEKMSKeyId"] = .string(kms) }
        if object.storageClass != "STANDARD" { fields["StorageClass"] = .string(object.storageClass) }
        if !object.metadata.isEmpty { fields["Metadata"] = .map(object.metadata.mapValues(ShapeValue.string)) }
        for (name, value) in object.headers { fields[name] = .string(value) }
        if let parts = object.partsCount { fields["PartsCount"] = .integer(Int64(parts)) }
        if let versionId = versionId(of: object) { fields["VersionId"] = versionId }
        if let mode = object.lockMode, let until = object.retainUntil {
            fields["ObjectLockMode"] = .string(mode)
            fields["ObjectLockRetainUntilDate"] = .timestamp(until)
        }
        if let hold = object.legalHold { fields["ObjectLockLegalHoldStatus"] = .string(hold ? "ON" : "OFF") }
        if let until = object.restoredUntil, until > call.now {
            fields["Restore"] = .string("ongoing-request=\"false\", expiry-date=\"\(Timestamps.httpDate(until))\"")
        }
        if call.string(.checksumMode) == "ENABLED" && range == nil {
            for (name, value) in object.checksums { fields["Checksum\(name)"] = .string(value) }
        }
        if let range {
            fields["ContentRange"] = .string("bytes \(range.lowerBound)-\(range.upperBound - 1)/\(object.blob.size)")
            fields["StatusCode"] = .integer(206)
        }
        if !head { fields["Body"] = .blob(try context.blobs.read(object.blob, range: range)) }
        return .structure(fields)
    }

    private func checkConditions(_ object: ObjectRecord) throws {
        let etag = object.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        func matches(_ header: String) -> Bool {
            header.split(separator: ",").contains {
                let tag = $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\""))
                return tag == "*" || tag == etag
            }
        }
        let modified = object.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = call.string(.ifMatch), !matches(ifMatch) { throw S3Errors.preconditionFailed }
        if call.string(.ifMatch) == nil, case .timestamp(let date)? = call[.ifUnmodifiedSince],
            modified > date.timeIntervalSince1970
        {
            throw S3Errors.preconditionFailed
        }
        if let ifNoneMatch = call.string(.ifNoneMatch), matches(ifNoneMatch) { throw S3Errors.notModified }
        if call.string(.ifNoneMatch) == nil, case .timestamp(let date)? = call[.ifModifiedSince],
            modified <= date.timeIntervalSince1970
        {
            throw S3Errors.notModified
        }
    }

    /// `bytes=0-99`, `bytes=100-`, `bytes=-20`; a range past the end is InvalidRange.
    static func parseRange(_ header: String, size: Int) throws -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).split(
            separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let suffix = Int(spec[1]), suffix > 0 else { throw S3Errors.invalidRange }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(spec[0]), start < size else { throw S3Errors.invalidRange }
        let end = spec[1].isEmpty ? size - 1 : min(size - 1, Int(spec[1]) ?? -1)
        guard end >= start else { throw S3Errors.invalidRange }
        return start..<(end + 1)
    }

    func delete() throws -> ShapeValue? {
        .structure(
            ShapeFields(
                try deleteOne(try call.required(.key), versionId: call.string(.versionId)).compactMapValues { $0 }))
    }

    /// Deletes a key (a delete marker where versioned) or one version of it; returns the
    /// response fields S3 gives for it.
    private func deleteOne(_ key: String, versionId: String?) throws -> [String: ShapeValue?] {
        var versions = self.versions
        if let versionId {
            if let locked = try versions.version(key: key, versionId: versionId)?.object {
                try ObjectLock(context: context, bucket: bucket).checkDeletable(locked)
            }
            let wasMarker = try versions.deleteVersion(key: key, versionId: versionId)
            return ["VersionId": .string(versionId), "DeleteMarker": wasMarker == true ? .boolean(true) : nil]
        }
        guard let marker = try versions.delete(key: key, now: call.now) else { return [:] }
        return ["DeleteMarker": .boolean(true), "VersionId": .string(marker)]
    }

    func deleteMany() throws -> ShapeValue {
        let request = call[.delete]
        let entries = request?[member: "Objects"]?.listValue ?? []
        guard !entries.isEmpty, entries.count <= 1000 else { throw S3Errors.malformedXML }
        let quiet = request?[member: "Quiet"]?.boolValue ?? false
        var deleted: [ShapeValue] = []
        for entry in entries {
            guard let key = entry[member: "Key"]?.stringValue else { throw S3Errors.malformedXML }
            let versionId = entry[member: "VersionId"]?.stringValue
            try context.authorize(
                bucket: bucket, resource: "\(bucket.arn)/\(key)",
                action: versionId == nil ? "s3:DeleteObject" : "s3:DeleteObjectVersion")
            var fields = try deleteOne(key, versionId: versionId)
            if versionId == nil, let marker = fields.removeValue(forKey: "VersionId") {
                fields["DeleteMarkerVersionId"] = marker
            }
            fields["Key"] = .string(key)
            deleted.append(.structure(ShapeFields(fields.compactMapValues { $0 })))
        }
        return .object(["Deleted": quiet ? nil : .list(deleted)])
    }

    func copy() throws -> ShapeValue {
        let key = try call.required(.key)
        guard let source = CopySource(try call.required(.copySource)) else {
            throw S3Errors.invalidArgument("Invalid copy source")
        }
        let sourceBucket = try context.bucket(source.bucket)
        let sourceKey = source.key
        try context.authorize(
            bucket: sourceBucket, resource: "\(sourceBucket.arn)/\(sourceKey)", action: "s3:GetObject")
        let original = try ObjectOperations(context: context, bucket: sourceBucket).stored(
            sourceKey, versionId: source.versionId)
        let bytes = try context.blobs.read(original.blob)
        let replace = call.string(.metadataDirective) == "REPLACE"
        if sourceBucket.name == bucket.name && sourceKey == key && !replace && call.string(.storageClass) == nil {
            throw S3Errors.invalidArgument(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            )
        }
        let sse = try encryption()
        var object = original
        object.key = key
        object.blob = try context.blobs.write(bytes, for: tx)
        object.lastModified = call.now
        object.serverSideEncryption = sse.algorithm
        object.kmsKeyId = sse.kmsKeyId
        object.storageClass = call.string(.storageClass) ?? "STANDARD"
        if replace {
            object.metadata = metadata()
            object.headers = headers()
            object.contentType = call.string(.contentType) ?? "binary/octet-stream"
        }
        object.versionId = nil
        (object.lockMode, object.retainUntil, object.legalHold) = (nil, nil, nil)
        try ObjectLock(context: context, bucket: bucket).apply(to: &object)
        var versions = self.versions
        object = try versions.put(object)
        return .object([
            "CopyObjectResult": .object(["ETag": .string(object.etag), "LastModified": .timestamp(object.lastModified)]
            ),
            "ServerSideEncryption": .string(object.serverSideEncryption),
            "VersionId": versionId(of: object),
            "CopySourceVersionId": sourceBucket.versioning == nil ? nil : .string(original.versionId ?? "null"),
        ])
    }
}
