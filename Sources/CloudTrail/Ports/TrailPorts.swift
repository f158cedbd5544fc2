import Foundation
import Persistence
import ServiceContract

/// What CloudTrail needs from the rest of the server, as ports the server wires at bootstrap:
/// CloudTrail knows buckets, topics and sealed secrets only through these, never through the
/// modules that store them.
package struct TrailPorts: Sendable {
    package var logFiles: any LogFileSink
    package var notifier: any TrailNotifier
    package var secrets: any SecretSealer

    package init(logFiles: any LogFileSink, notifier: any TrailNotifier, secrets: any SecretSealer) {
        self.logFiles = logFiles
        self.notifier = notifier
        self.secrets = secrets
    }
}

/// Where log and digest files go: buckets of the embedded S3, written as
/// `cloudtrail.amazonaws.com` on behalf of a trail, the bucket policy deciding.
package protocol LogFileSink: Sendable {
    /// Whether the embedded store holds the bucket (otherwise it is external, if anywhere).
    func holds(bucket: String, in tx: any StateReader) throws -> Bool

    /// Whether the bucket lets CloudTrail read its ACL and write `objectPrefix*` for `sourceArn`.
    func check(bucket: String, objectPrefix: String, account: String, sourceArn: String, in tx: any StateReader)
        throws -> BucketAccess

    /// Stores one file; throws the ``AWSError`` S3 would answer (NoSuchBucket, AccessDenied).
    func put(_ file: LogFile, in tx: any StateWriter) throws
}

/// A file CloudTrail writes into a bucket.
package struct LogFile: Sendable {
    package var bucket: String
    package var key: String
    package var bytes: [UInt8]
    package var contentType: String
    package var contentEncoding: String?
    package var account: String
    /// The trail's ARN (`aws:SourceArn` for the bucket policy).
    package var sourceArn: String
    package var kmsKeyId: String?
    package var metadata: [String: String]
    package var time: Date

    package init(
        bucket: String, key: String, bytes: [UInt8], contentType: String, contentEncoding: String?, account: String,
        sourceArn: String, kmsKeyId: String?, metadata: [String: String] = [:], time: Date
    ) {
        self.bucket = bucket
        self.key = key
        self.bytes = bytes
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.account = account
        self.sourceArn = sourceArn
        self.kmsKeyId = kmsKeyId
        self.metadata = metadata
        self.time = time
    }
}

/// A trail's SNS topic, published to as `cloudtrail.amazonaws.com`.
package protocol TrailNotifier: Sendable {
    /// Whether `arn` is a well-formed topic ARN.
    func isTopicArn(_ arn: String) -> Bool

    /// Whether the topic exists and its policy lets CloudTrail publish for `sourceArn`.
    func check(topicArn: String, account: String, sourceArn: String, in tx: any StateReader) throws -> TopicAccess

    /// Publishes `message`; returns nil, or the error code SNS would have answered.
    func publish(
        topicArn: String, account: String, sourceArn: String, message: String, now: Date, in tx: any StateWriter
    ) throws -> String?
}

/// Seals secrets at rest (digest signing keys) with the data directory's master key.
package protocol SecretSealer: Sendable {
    func seal(_ secret: [UInt8]) throws -> Data
    func unseal(_ sealed: Data) throws -> Data
}
