import AWSWire
import CloudTrail
import Foundation
import Notifications
import ObjectStore
import Persistence
import ServiceContract

/// CloudTrail's ports, wired to the embedded S3 and SNS: files are written and notifications
/// published as `cloudtrail.amazonaws.com`, each checked against the bucket's or topic's policy.
extension TrailPorts {
    /// `capture`: CloudTrail's own writes into buckets are recorded as the owner's data events.
    package static func embedded(blobs: EncryptedBlobStore, capture: Bool = true) -> TrailPorts {
        TrailPorts(
            logFiles: BucketLogFiles(
                delivery: ServiceDelivery(service: Self.service, blobs: blobs), capture: capture),
            notifier: TopicNotifier(notifier: ServiceNotifier(service: Self.service)),
            secrets: BlobSecrets(blobs: blobs))
    }

    static let service = TrailDelivery.service
}

struct BucketLogFiles: LogFileSink {
    let delivery: ServiceDelivery
    let capture: Bool

    func holds(bucket: String, in tx: any StateReader) throws -> Bool {
        try delivery.holds(bucket: bucket, in: tx)
    }

    func check(bucket: String, objectPrefix: String, account: String, sourceArn: String, in tx: any StateReader)
        throws -> BucketAccess
    {
        try delivery.check(bucket: bucket, objectPrefix: objectPrefix, account: account, sourceArn: sourceArn, in: tx)
    }

    func put(_ file: LogFile, in tx: any StateWriter) throws {
        let written = try delivery.put(
            bucket: file.bucket, key: file.key, bytes: file.bytes, contentType: file.contentType,
            contentEncoding: file.contentEncoding, account: file.account, sourceArn: file.sourceArn,
            kmsKeyId: file.kmsKeyId, metadata: file.metadata, now: file.time, in: tx)
        // The file is a PutObject by CloudTrail, a data event of the bucket owner (RecursiveLogging).
        if capture {
            try ServiceEventRecorder.recordServiceWrite(
                service: TrailDelivery.service, bucket: file.bucket, owner: written.owner, region: written.region,
                key: file.key, time: file.time, in: tx)
        }
    }
}

struct TopicNotifier: TrailNotifier {
    let notifier: ServiceNotifier

    func isTopicArn(_ arn: String) -> Bool {
        guard let parts = SNSService.parse(arn) else { return false }
        return SNSService.validTopicName(parts.name)
    }

    func check(topicArn: String, account: String, sourceArn: String, in tx: any StateReader) throws -> TopicAccess {
        try notifier.check(topicArn: topicArn, account: account, sourceArn: sourceArn, in: tx)
    }

    func publish(
        topicArn: String, account: String, sourceArn: String, message: String, now: Date, in tx: any StateWriter
    ) throws -> String? {
        try notifier.publish(
            topicArn: topicArn, account: account, sourceArn: sourceArn, message: message, now: now, in: tx)
    }
}

struct BlobSecrets: SecretSealer {
    let blobs: EncryptedBlobStore

    func seal(_ secret: [UInt8]) throws -> Data { try blobs.seal(secret) }
    func unseal(_ sealed: Data) throws -> Data { try blobs.unseal(sealed) }
}

extension ServiceEventRecorder.LifecycleAction {
    /// The executor's action in CloudTrail's terms.
    init(_ action: LifecycleExecutor.Action) {
        let kind: Kind =
            switch action.kind {
            case .expiration: .expiration
            case .transition(let storageClass): .transition(storageClass: storageClass)
            case .abortIncompleteUpload(let uploadId): .abortIncompleteUpload(uploadId: uploadId)
            }
        self.init(
            kind: kind, bucket: action.bucket.name, owner: action.bucket.owner, region: action.bucket.region,
            key: action.key, ruleId: action.ruleId, time: action.time)
    }
}
