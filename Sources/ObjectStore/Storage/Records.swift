import AWSWire
import Foundation

/// A bucket as the state store keeps it. Bucket names are global across accounts.
public struct BucketRecord: Sendable, Codable, Equatable {
    public var name: String
    public var owner: String
    public var region: String
    public var created: Date
    public var policy: String?
    /// Canned ACL: `private`, `public-read`, `public-read-write`, `authenticated-read`, …
    public var acl: String
    /// The default encryption rule (`ServerSideEncryptionConfiguration`), if the owner set one.
    public var encryption: ShapeValue?
    public var tags: [String: String]?
    /// The lifecycle configuration's rules (`LifecycleRule` values), if the owner set them.
    public var lifecycleRules: ShapeValue?
    /// Subresource configurations kept as sent (CORS, website, logging, ownership controls,
    /// public access block), by ``BucketConfiguration`` name.
    public var configurations: [String: ShapeValue]?
    /// `Enabled` or `Suspended`; nil for a bucket whose versioning was never enabled.
    public var versioning: String?
    /// The last version sequence given out in this bucket (orders versions newest first).
    public var versionSequence: Int?
    /// Object Lock: enabled for the bucket (its versioning can then not be suspended), with an
    /// optional default retention rule (`ObjectLockConfiguration`).
    public var objectLock: ShapeValue?
}

/// An object as it is read: in an unversioned bucket the only version, in a versioned one a
/// copy of the newest version when that is not a delete marker (``VersionRecord``).
public struct ObjectRecord: Sendable, Codable, Equatable {
    public var key: String
    /// The version id; nil for the `null` version (written while versioning was off).
    public var versionId: String?
    public var blob: BlobReference
    /// Quoted, as S3 sends it: `"<md5 hex>"` or `"<md5 of md5s>-N"`.
    public var etag: String
    public var lastModified: Date
    public var contentType: String
    public var metadata: [String: String]
    /// Standard headers stored with the object (Cache-Control, Content-Disposition, …).
    public var headers: [String: String]
    /// Checksums by algorithm name (`CRC32` → base64).
    public var checksums: [String: String]
    public var storageClass: String
    /// `AES256` or `aws:kms`.
    public var serverSideEncryption: String
    public var kmsKeyId: String?
    public var partsCount: Int?
    /// Object tags (`x-amz-tagging`), which lifecycle filters match.
    public var tags: [String: String]?
    /// Until when an archived object, restored by RestoreObject, can be read.
    public var restoredUntil: Date?
    /// Object Lock retention (`GOVERNANCE` or `COMPLIANCE`) and until when it holds.
    public var lockMode: String?
    public var retainUntil: Date?
    /// An Object Lock legal hold (`ON`), which holds until it is taken off.
    public var legalHold: Bool?
}

/// An in-progress multipart upload.
public struct UploadRecord: Sendable, Codable, Equatable {
    public struct Part: Sendable, Codable, Equatable {
        public var number: Int
        public var etag: String
        public var size: Int
        public var blob: BlobReference
        public var lastModified: Date
        public var md5: [UInt8]
        public var checksums: [String: String]
    }

    public var uploadId: String
    public var key: String
    public var initiated: Date
    public var initiator: String
    public var contentType: String
    public var metadata: [String: String]
    public var headers: [String: String]
    public var checksumAlgorithm: String?
    public var serverSideEncryption: String
    public var kmsKeyId: String?
    public var parts: [Int: Part]
}

enum Kinds {
    static let bucket = "s3.bucket"
    static let object = "s3.object"
    static let upload = "s3.upload"
    static let global = "-"
}
