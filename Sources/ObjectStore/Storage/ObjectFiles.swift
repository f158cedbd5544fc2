import AWSWire
import Persistence

/// Object files live as long as the records that name them: a file written for a write that
/// does not commit is removed, and a file a committed write stopped naming (an overwrite, a
/// delete, a completed or aborted upload) is removed right after the commit — not at the next
/// start.
extension EncryptedBlobStore {
    /// Writes `bytes` as a new object file for the write in `tx`; removed if that write fails.
    func write(_ bytes: [UInt8], for tx: any StateWriter) throws -> BlobReference {
        let blob: BlobReference
        do {
            blob = try write(bytes)
        } catch {
            // A full or failing disk: S3's answer is a 503 to retry, and nothing was stored.
            throw AWSError.serviceUnavailable
        }
        tx.whenFinished { [self] committed in
            if !committed { delete(blob) }
        }
        return blob
    }

    /// Removes `files` once the write in `tx` has committed.
    func release(_ files: [BlobReference], after tx: any StateWriter) {
        guard !files.isEmpty else { return }
        tx.whenFinished { [self] committed in
            if committed { for file in files { delete(file) } }
        }
    }
}

extension StateWriter {
    /// Stores `object` in `bucket`, releasing the file of the object it replaces.
    func putObject(_ object: ObjectRecord, bucket: String, blobs: EncryptedBlobStore) throws {
        if let replaced = try get(ObjectRecord.self, kind: Kinds.object, scope: bucket, id: object.key),
            replaced.blob.file != object.blob.file
        {
            blobs.release([replaced.blob], after: self)
        }
        try put(object, kind: Kinds.object, scope: bucket, id: object.key)
    }

    /// Removes the object at `key` from `bucket` and releases its file; whether it existed.
    @discardableResult
    func deleteObject(_ key: String, bucket: String, blobs: EncryptedBlobStore) throws -> Bool {
        guard let object = try get(ObjectRecord.self, kind: Kinds.object, scope: bucket, id: key) else { return false }
        blobs.release([object.blob], after: self)
        return try delete(kind: Kinds.object, scope: bucket, id: key)
    }

    /// Removes an upload and releases the files of its parts (all of them: a completed upload's
    /// object has a file of its own).
    func deleteUpload(_ upload: UploadRecord, bucket: String, blobs: EncryptedBlobStore) throws {
        blobs.release(upload.parts.values.map(\.blob), after: self)
        try delete(kind: Kinds.upload, scope: bucket, id: upload.uploadId)
    }
}
