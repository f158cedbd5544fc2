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

    /// Journal position logging (re)started after: earlier events are not this trail's.
    public var startPosition: Int64
    /// While stopped: the last position captured while logging (still delivered).
    public var stopPosition: Int64?
    /// Per region, the last journal position delivered (or passed over).
    public var cursors: [String: Int64]

    static let kind = "cloudtrail.trail"
    static let scope = "-"
    var id: String { "\(account)/\(name)" }

    /// The object key prefix of this trail's files for `region`.
    func keyPrefix(region: String) -> String {
        (prefix.map { "\($0)/" } ?? "") + "AWSLogs/\(account)/CloudTrail/\(region)/"
    }
}
