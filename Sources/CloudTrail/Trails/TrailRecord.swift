import AWSWire
import Foundation

/// A trail as the state store keeps it, with its delivery cursor and status.
package struct TrailRecord: Sendable, Codable, Equatable {
    package var name: String
    package var account: String
    package var homeRegion: String
    package var arn: String
    package var bucket: String
    package var prefix: String?
    package var includeGlobalServiceEvents: Bool
    package var isMultiRegion: Bool
    package var logFileValidation: Bool
    package var kmsKeyId: String?
    package var eventSelectors: ShapeValue?
    package var advancedEventSelectors: ShapeValue?
    package var insightSelectors: ShapeValue?
    package var tags: [String: String]

    package var logging: Bool
    package var startLoggingTime: Date?
    package var stopLoggingTime: Date?
    package var latestDeliveryTime: Date?
    package var latestDeliveryAttemptTime: Date?
    package var latestDeliveryAttemptSucceeded: Date?
    package var latestDeliveryError: String?

    /// The topic told about every delivered log file, and how the last telling went.
    package var snsTopicArn: String? = nil
    /// RecursiveLogging (nil: true, AWS's default): whether this trail also logs the data events
    /// CloudTrail's own deliveries into its bucket make.
    package var recursiveLogging: Bool? = nil
    package var latestNotificationTime: Date? = nil
    package var latestNotificationAttemptTime: Date? = nil
    package var latestNotificationAttemptSucceeded: Date? = nil
    package var latestNotificationError: String? = nil
    /// Log file validation: per region, the chain of digests and the files since the last one.
    package var digests: [String: DigestChain]? = nil
    package var latestDigestDeliveryTime: Date? = nil
    package var latestDigestDeliveryError: String? = nil

    /// Journal position logging (re)started after: earlier events are not this trail's.
    package var startPosition: Int64
    /// While stopped: the last position captured while logging (still delivered).
    package var stopPosition: Int64?
    /// Per region, the last journal position delivered, passed over or queued in `outbox`.
    package var cursors: [String: Int64]
    /// Files cut for an external bucket and not yet stored there, oldest first per region.
    package var outbox: [PendingFile]?
    /// Digest files signed for an external bucket and not yet stored there, oldest first.
    package var digestOutbox: [PendingDigest]? = nil

    /// A digest file made (and its chain advanced) in a transaction, waiting for the external
    /// endpoint; its bytes and signature are fixed, so a retry stores the same object.
    package struct PendingDigest: Sendable, Codable, Equatable {
        package var key: String
        /// The gzip-compressed digest.
        package var body: Data
        package var signature: String
        package var attempts = 0
        package var notBefore: Date?
    }

    /// A log file cut from the journal range (after, end] of one region, waiting for an
    /// external endpoint. Its key is fixed when it is cut, so a retry after a crash overwrites
    /// the same object: no event ever lands in two files.
    package struct PendingFile: Sendable, Codable, Equatable {
        package var region: String
        package var key: String
        package var after: Int64
        package var end: Int64
        package var attempts = 0
        /// Not retried before this time of the injected clock (backoff after a failure).
        package var notBefore: Date?
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
