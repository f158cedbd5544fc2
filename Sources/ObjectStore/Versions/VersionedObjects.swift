import AWSWire
import Foundation
import Persistence

/// Writes and removes objects as the bucket's versioning says: unversioned buckets keep one
/// object per key; versioned ones add a version per write and a delete marker per delete;
/// suspended ones replace the `null` version. Keeps the current object (`s3.object`) a copy of
/// the newest version that is not a delete marker, and releases object files only when no
/// record names them any more.
struct VersionedObjects {
    let tx: any StateWriter
    let blobs: EncryptedBlobStore
    var bucket: BucketRecord

    var versioned: Bool { bucket.versioning != nil }

    /// Stores `object` as the key's newest version; returns it with its version id.
    mutating func put(_ object: ObjectRecord) throws -> ObjectRecord {
        guard versioned else {
            try tx.putObject(object, bucket: bucket.name, blobs: blobs)
            return object
        }
        var object = object
        let versionId = bucket.versioning == "Enabled" ? VersionRecord.newVersionId() : "null"
        if versionId == "null" { try removeVersion(key: object.key, versionId: "null", updateCurrent: false) }
        object.versionId = versionId == "null" ? nil : versionId
        try add(
            VersionRecord(
                key: object.key, versionId: versionId, sequence: 0, lastModified: object.lastModified, object: object))
        try tx.put(object, kind: Kinds.object, scope: bucket.name, id: object.key)
        return object
    }

    /// Deletes the key as S3 does without a version id: removes it (unversioned), or adds a
    /// delete marker and returns its version id.
    mutating func delete(key: String, now: Date) throws -> String? {
        guard versioned else {
            try tx.deleteObject(key, bucket: bucket.name, blobs: blobs)
            return nil
        }
        let versionId = bucket.versioning == "Enabled" ? VersionRecord.newVersionId() : "null"
        if versionId == "null" { try removeVersion(key: key, versionId: "null", updateCurrent: false) }
        try add(VersionRecord(key: key, versionId: versionId, sequence: 0, lastModified: now, object: nil))
        try tx.delete(kind: Kinds.object, scope: bucket.name, id: key)
        return versionId
    }

    /// Removes one version for good; returns whether it was a delete marker (nil when there was
    /// no such version). The next newest version becomes current.
    @discardableResult
    mutating func deleteVersion(key: String, versionId: String) throws -> Bool? {
        guard versioned else {
            // An unversioned bucket's only version is `null`.
            guard versionId == "null", try tx.deleteObject(key, bucket: bucket.name, blobs: blobs) else { return nil }
            return false
        }
        return try removeVersion(key: key, versionId: versionId, updateCurrent: true)
    }

    /// The version `versionId` of `key`, from any bucket.
    func version(key: String, versionId: String) throws -> VersionRecord? {
        guard versioned else {
            guard versionId == "null",
                let object = try tx.get(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, id: key)
            else { return nil }
            return VersionRecord(
                key: key, versionId: "null", sequence: 0, lastModified: object.lastModified, object: object)
        }
        return try versions(of: key).first { $0.versionId == versionId }
    }

    /// The key's versions, newest first.
    func versions(of key: String) throws -> [VersionRecord] {
        var found: [VersionRecord] = []
        var cursor = key + "\u{1}"
        while true {
            let batch = try tx.list(
                VersionRecord.self, kind: VersionRecord.kind, scope: bucket.name, after: cursor, limit: 100)
            for version in batch {
                guard version.key == key else { return found }
                found.append(version)
            }
            guard let last = batch.last, batch.count == 100 else { return found }
            cursor = last.id
        }
    }

    /// Every key's versions, newest first, in key order.
    func allVersions() throws -> [(key: String, versions: [VersionRecord])] {
        var grouped: [(key: String, versions: [VersionRecord])] = []
        var cursor: String?
        while true {
            let batch = try tx.list(
                VersionRecord.self, kind: VersionRecord.kind, scope: bucket.name, after: cursor, limit: 500)
            for version in batch {
                if grouped.last?.key == version.key {
                    grouped[grouped.count - 1].versions.append(version)
                } else {
                    grouped.append((version.key, [version]))
                }
            }
            guard let last = batch.last, batch.count == 500 else { return grouped }
            cursor = last.id
        }
    }

    /// Rewrites one version's object (its retention or legal hold), and the current copy if it
    /// is that version.
    func replace(_ object: ObjectRecord, versionId: String) throws {
        guard var version = try versions(of: object.key).first(where: { $0.versionId == versionId }) else { return }
        version.object = object
        try tx.put(version, kind: VersionRecord.kind, scope: bucket.name, id: version.id)
        let current = try tx.get(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, id: object.key)
        if let current, (current.versionId ?? "null") == versionId {
            try tx.put(object, kind: Kinds.object, scope: bucket.name, id: object.key)
        }
    }

    /// Rewrites the current object in place (a lifecycle transition), and its version record.
    func replaceCurrent(_ object: ObjectRecord) throws {
        try tx.put(object, kind: Kinds.object, scope: bucket.name, id: object.key)
        guard versioned, var newest = try versions(of: object.key).first, newest.object != nil else { return }
        newest.object = object
        try tx.put(newest, kind: VersionRecord.kind, scope: bucket.name, id: newest.id)
    }

    /// Whether the bucket holds any version at all (a versioned bucket is empty only then).
    func hasVersions() throws -> Bool {
        try !tx.list(VersionRecord.self, kind: VersionRecord.kind, scope: bucket.name, after: nil, limit: 1).isEmpty
    }

    /// Turns versioning on or suspends it. The objects written before stay as `null` versions.
    mutating func setVersioning(_ status: String) throws {
        if status == "Suspended", bucket.objectLock != nil {
            throw AWSError(
                code: "InvalidBucketState",
                message:
                    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
                httpStatus: 409)
        }
        if bucket.versioning == nil {
            // Every existing object becomes its key's `null` version, owned by the version record.
            var cursor: String?
            while true {
                let batch = try tx.list(
                    ObjectRecord.self, kind: Kinds.object, scope: bucket.name, after: cursor, limit: 500)
                for object in batch {
                    try add(
                        VersionRecord(
                            key: object.key, versionId: "null", sequence: 0, lastModified: object.lastModified,
                            object: object))
                }
                guard let last = batch.last, batch.count == 500 else { break }
                cursor = last.key
            }
        }
        bucket.versioning = status
        try saveBucket()
    }

    // MARK: - Records

    /// Adds a version with the bucket's next sequence, read from the stored bucket so that
    /// several writes in one call (DeleteObjects) never share one.
    private mutating func add(_ version: VersionRecord) throws {
        var version = version
        var stored = try tx.get(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global, id: bucket.name) ?? bucket
        let sequence = (stored.versionSequence ?? 0) + 1
        stored.versionSequence = sequence
        bucket.versionSequence = sequence
        version.sequence = sequence
        try tx.put(version, kind: VersionRecord.kind, scope: bucket.name, id: version.id)
        try tx.put(stored, kind: Kinds.bucket, scope: Kinds.global, id: bucket.name)
    }

    private func saveBucket() throws {
        try tx.put(bucket, kind: Kinds.bucket, scope: Kinds.global, id: bucket.name)
    }

    /// Removes a version and releases its file; with `updateCurrent`, the current object
    /// follows the newest remaining version. Returns whether it was a delete marker, or nil.
    @discardableResult
    private func removeVersion(key: String, versionId: String, updateCurrent: Bool) throws -> Bool? {
        let all = try versions(of: key)
        guard let index = all.firstIndex(where: { $0.versionId == versionId }) else { return nil }
        let removed = all[index]
        try tx.delete(kind: VersionRecord.kind, scope: bucket.name, id: removed.id)
        if let object = removed.object { blobs.release([object.blob], after: tx) }
        if updateCurrent && index == 0 {
            if let next = all.dropFirst().first, let object = next.object {
                try tx.put(object, kind: Kinds.object, scope: bucket.name, id: key)
            } else {
                try tx.delete(kind: Kinds.object, scope: bucket.name, id: key)
            }
        }
        return removed.isDeleteMarker
    }
}
