import AWSWire
import Foundation

/// A trail as the state store keeps it, with its delivery cursor and status.
public struct TrailRecord: Sendable, Codable, Equatable {
    public var name: String
    public var account: String
    public var homeRegion: String
    public var arn: String
    public var bucket: String
    public var prefix: String?
    public var includeGlobalServiceEvents: Bool
    public var isMultiRegion: Bool
    public var logFileValidation: Bool
    public var kmsKeyId: String?
    public var eventSelectors: ShapeValue?
    public var advancedEventSelectors: ShapeValue?
    public var insightSelectors: ShapeValue?
    public var tags: [String: String]

    public var logging: Bool
    public var startLoggingTime: Date?
    public var stopLoggingTime: Date?
    public var latestDeliveryTime: Date?
    public var latestDeliveryAttemptTime: Date?
    public var latestDeliveryAttemptSucceeded: Date?
    public var latestDeliveryError: String?

    /// The topic told about every delivered log file, and how the last telling went.
    public var snsTopicArn: String? = nil
    public var latestNotificationTime: Date? = nil
    public var latestNotificationAttemptTime: Date? = nil
    public var latestNotificationAttemptSucceeded: Date? = nil
    public var latestNotificationError: String? = nil
    /// Log file validation: per region, the chain of digests and the files since the last one.
    public var digests: [String: DigestChain]? = nil
    public var latestDigestDeliveryTime: Date? = nil
    public var latestDigestDeliveryError: String? = nil

    /// Journal position logging (re)started after: earlier events are not this trail's.
    public var startPosition: Int64
    /// While stopped: the last position captured while logging (still delivered).
    public var stopPosition: Int64?
    /// Per region, the last journal position delivered, passed over or queued in `outbox`.
    public var cursors: [String: Int64]
    /// Files cut for an external bucket and not yet stored there, oldest first per region.
    public var outbox: [PendingFile]?
    /// Digest files signed for an external bucket and not yet stored there, oldest first.
    public var digestOutbox: [PendingDigest]? = nil

    /// A digest file made (and its chain advanced) in a transaction, waiting for the external
    /// endpoint; its bytes and signature are fixed, so a retry stores the same object.
    public struct PendingDigest: Sendable, Codable, Equatable {
        public var key: String
        /// The gzip-compressed digest.
        public var body: Data
        public var signature: String
        public var attempts = 0
        public var notBefore: Date?
    }

    /// A log file cut from the journal range (after, end] of one region, waiting for an
    /// external endpoint. Its key is fixed when it is cut, so a retry after a crash overwrites
    /// the same object: no event ever lands in two files.
    public struct PendingFile: Sendable, Codable, Equatable {
        public var region: String
        public var key: String
        public var after: Int64
        public var end: Int64
        public var attempts = 0
        /// Not retried before this time of the injected clock (backoff after a failure).
        public var notBefore: Date?
    }

    static let kind = "cloudtrail.trail"
    /// Deleted trails whose outbox still holds files for an external bucket.
    static let retiredKind = "cloudtrail.trail.retired"
    static let scope = "-"
    var id: String { "\(account)/\(name)" }
    /// The id of this trail once deleted with files still queued (unique per deletion).
    var retiredID: String { "\(id)#\(stopPosition ?? startPosition)" }

    /// The object key prefix of this trail's files for `region`.
    func keyPrefix(region: String) -> String {
        (prefix.map { "\($0)/" } ?? "") + "AWSLogs/\(account)/CloudTrail/\(region)/"
    }

    func digestKeyPrefix(region: String) -> String {
        (prefix.map { "\($0)/" } ?? "") + "AWSLogs/\(account)/CloudTrail-Digest/\(region)/"
    }
}
