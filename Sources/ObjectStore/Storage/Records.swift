import AWSModels
import AWSWire
import Foundation

/// A bucket as the state store keeps it. Bucket names are global across accounts.
package struct BucketRecord: Sendable, Codable, Equatable {
    package var name: String
    package var owner: String
    package var region: String
    package var created: Date
    package var policy: String?
    /// Canned ACL: `private`, `public-read`, `public-read-write`, `authenticated-read`, …
    package var acl: String
    /// The default encryption rule (`ServerSideEncryptionConfiguration`), if the owner set one.
    package var encryption: ShapeValue?
    package var tags: [String: String]?
    /// The lifecycle configuration's rules (`LifecycleRule` values), if the owner set them.
    package var lifecycleRules: ShapeValue?
    /// Subresource configurations kept as sent (CORS, website, logging, ownership controls,
    /// public access block), by ``BucketConfiguration`` name.
    package var configurations: [String: ShapeValue]?
    /// `Enabled` or `Suspended`; nil for a bucket whose versioning was never enabled.
    package var versioning: String?
    /// The last version sequence given out in this bucket (orders versions newest first).
    package var versionSequence: Int?
    /// Object Lock: enabled for the bucket (its versioning can then not be suspended), with an
    /// optional default retention rule (`ObjectLockConfiguration`).
    package var objectLock: ShapeValue?

    /// `arn:aws:s3:::NAME`, in the partition of the bucket's region.
    package var arn: String { Partition(region: region).arn("s3", name) }
}

/// An object as it is read: in an unversioned bucket the only version, in a versioned one a
/// copy of the newest version when that is not a delete marker (``VersionRecord``).
package struct ObjectRecord: Sendable, Codable, Equatable {
    package var key: String
    /// The version id; nil for the `null` version (written while versioning was off).
    package var versionId: String?
    package var blob: BlobReference
    /// Quoted, as S3 sends it: `"<md5 hex>"` or `"<md5 of md5s>-N"`.
    package var etag: String
    package var lastModified: Date
    package var contentType: String
    package var metadata: [String: String]
    /// Standard headers stored with the object (Cache-Control, Content-Disposition, …).
    package var headers: [String: String]
    /// Checksums by algorithm name (`CRC32` → base64).
    package var checksums: [String: String]
    package var storageClass: String
    /// `AES256` or `aws:kms`.
    package var serverSideEncryption: String
    package var kmsKeyId: String?
    package var partsCount: Int?
    /// Object tags (`x-amz-tagging`), which lifecycle filters match.
    package var tags: [String: String]?
    /// Until when an archived object, restored by RestoreObject, can be read.
    package var restoredUntil: Date?
    /// Object Lock retention (`GOVERNANCE` or `COMPLIANCE`) and until when it holds.
    package var lockMode: String?
    package var retainUntil: Date?
    /// An Object Lock legal hold (`ON`), which holds until it is taken off.
    package var legalHold: Bool?
}

/// An in-progress multipart upload.
package struct UploadRecord: Sendable, Codable, Equatable {
    package struct Part: Sendable, Codable, Equatable {
        package var number: Int
        package var etag: String
        package var size: Int
        package var blob: BlobReference
        package var lastModified: Date
        package var md5: [UInt8]
        package var checksums: [String: String]
    }

    package var uploadId: String
    package var key: String
    package var initiated: Date
    package var initiator: String
    package var contentType: String
    package var metadata: [String: String]
    package var headers: [String: String]
    package var checksumAlgorithm: String?
    package var serverSideEncryption: String
    package var kmsKeyId: String?
    package var parts: [Int: Part]
}

enum Kinds {
    static let bucket = "s3.bucket"
    static let object = "s3.object"
    static let upload = "s3.upload"
    static let global = "-"
}
