import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract
import SigV4

/// ObjectStore's port to a topic service: whether S3 may publish to a topic for a bucket (the
/// topic's policy decides), and publishing as S3. The server wires SNS into it.
package struct BucketNotifier: Sendable {
    /// nil when S3 may publish to `topicArn` for `sourceArn`, else the reason it may not.
    package var check:
        @Sendable (_ topicArn: String, _ account: String, _ sourceArn: String, _ tx: any StateReader) throws
            -> String?
    /// Publishes `message`; nil, or the error SNS would answer.
    package var publish:
        @Sendable (
            _ topicArn: String, _ account: String, _ sourceArn: String, _ message: String, _ now: Date,
            _ tx: any StateWriter
        ) throws -> String?

    package init(
        check: @escaping @Sendable (String, String, String, any StateReader) throws -> String?,
        publish: @escaping @Sendable (String, String, String, String, Date, any StateWriter) throws -> String?
    ) {
        self.check = check
        self.publish = publish
    }
}

/// Event notifications to SNS topics, as S3 sends them: the configuration is checked against
/// each topic's policy when it is put (and a test event sent), and each object created or
/// removed that a configuration's events and key filter select is published in S3's event
/// format, in the transaction of the call that caused it.
struct BucketNotifications {
    let context: S3Context
    let bucket: BucketRecord
    let notifier: BucketNotifier?
    var call: OperationCall { context.call }

    static let events: Set<String> = [
        "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated",
    ]

    var sourceArn: String { bucket.arn }

    func configuration() throws -> ShapeValue? {
        var bucket = bucket
        guard call.operation.name == "PutBucketNotificationConfiguration" else {
            return bucket.configurations?["notification"] ?? .structure([:])
        }
        let configuration = call[.notificationConfiguration] ?? .structure([:])
        for unserved in ["QueueConfigurations", "LambdaFunctionConfigurations", "EventBridgeConfiguration"]
        where configuration[member: unserved] != nil {
            throw S3Errors.notImplemented("\(unserved) (only SNS topic destinations are served)")
        }
        let topics = configuration[member: "TopicConfigurations"]?.listValue ?? []
        let skip = call[.skipDestinationValidation]?.boolValue == true
        for topic in topics {
            let events = topic[member: "Events"]?.listValue?.compactMap(\.stringValue) ?? []
            guard let arn = topic[member: "TopicArn"]?.stringValue, !events.isEmpty else { throw S3Errors.malformedXML }
            if let unknown = events.first(where: { !Self.events.contains($0) }) {
                throw S3Errors.invalidArgument("The event is not supported for notifications: \(unknown)")
            }
            if !skip, let notifier, try notifier.check(arn, bucket.owner, sourceArn, context.tx) != nil {
                throw S3Errors.invalidArgument("Unable to validate the following destination configurations")
            }
        }
        var stored = bucket.configurations ?? [:]
        stored["notification"] = topics.isEmpty ? nil : configuration
        bucket.configurations = stored.isEmpty ? nil : stored
        try context.tx.put(bucket, kind: Kinds.bucket, scope: Kinds.global, id: bucket.name)
        // S3 tells each topic it was configured.
        for arn in Set(topics.compactMap { $0[member: "TopicArn"]?.stringValue }) {
            let test = JSONWriter.write(
                .object([
                    "Service": .string("Amazon S3"), "Event": .string("s3:TestEvent"),
                    "Time": .string(Timestamps.iso8601(call.now, fractional: true)), "Bucket": .string(bucket.name),
                    "RequestId": .string(call.requestID), "HostId": .string(call.requestID),
                ]))
            _ = try notifier?.publish(arn, bucket.owner, sourceArn, test, call.now, context.tx)
        }
        return nil
    }

    /// Publishes `eventName` (`ObjectCreated:Put`, `ObjectRemoved:Delete`, …) for `key` to every
    /// topic whose configuration selects it.
    func announce(_ eventName: String, key: String, object: ObjectRecord?, versionId: String?) throws {
        guard let notifier, let configuration = bucket.configurations?["notification"] else { return }
        for topic in configuration[member: "TopicConfigurations"]?.listValue ?? [] {
            let events = topic[member: "Events"]?.listValue?.compactMap(\.stringValue) ?? []
            let family = eventName.split(separator: ":").first.map { "s3:\($0):*" } ?? ""
            guard events.contains("s3:" + eventName) || events.contains(family), Self.selects(topic, key: key),
                let arn = topic[member: "TopicArn"]?.stringValue
            else { continue }
            let message = record(eventName, key: key, object: object, versionId: versionId, topic: topic)
            _ = try notifier.publish(arn, bucket.owner, sourceArn, message, call.now, context.tx)
        }
    }

    /// The configuration's `Filter.Key.FilterRules` (prefix, suffix).
    static func selects(_ topic: ShapeValue, key: String) -> Bool {
        for rule in topic[member: "Filter"]?[member: "Key"]?[member: "FilterRules"]?.listValue ?? [] {
            let value = rule[member: "Value"]?.stringValue ?? ""
            switch rule[member: "Name"]?.stringValue?.lowercased() {
            case "prefix": if !key.hasPrefix(value) { return false }
            case "suffix": if !key.hasSuffix(value) { return false }
            default: continue
            }
        }
        return true
    }

    /// One record in S3's event message format (`eventVersion` 2.1).
    private func record(_ eventName: String, key: String, object: ObjectRecord?, versionId: String?, topic: ShapeValue)
        -> String
    {
        var objectFields: [String: ShapeValue?] = [
            // Form-encoded, as S3 sends keys in events: a space is `+`.
            "key": .string(SigV4.encode(key, keepSlash: true).replacingOccurrences(of: "%20", with: "+")),
            "sequencer": .string(String(format: "%016llX", UInt64(call.now.timeIntervalSince1970 * 1_000_000))),
            "versionId": versionId.map(ShapeValue.string),
        ]
        if let object {
            objectFields["size"] = .integer(Int64(object.blob.size))
            objectFields["eTag"] = .string(object.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        let record = ShapeValue.object([
            "eventVersion": .string("2.1"), "eventSource": .string("aws:s3"), "awsRegion": .string(bucket.region),
            "eventTime": .string(Timestamps.iso8601(call.now, fractional: true)), "eventName": .string(eventName),
            "userIdentity": .object(["principalId": .string("AWS:\(call.principal.principalId)")]),
            "requestParameters": .object(["sourceIPAddress": .string(call.sourceIP)]),
            "responseElements": .object([
                "x-amz-request-id": .string(call.requestID), "x-amz-id-2": .string(call.requestID),
            ]),
            "s3": .object([
                "s3SchemaVersion": .string("1.0"),
                "configurationId": .string(topic[member: "Id"]?.stringValue ?? "notification"),
                "bucket": .object([
                    "name": .string(bucket.name), "ownerIdentity": .object(["principalId": .string(bucket.owner)]),
                    "arn": .string(sourceArn),
                ]),
                "object": .structure(ShapeFields(objectFields.compactMapValues { $0 })),
            ]),
        ])
        return JSONWriter.write(.object(["Records": .list([record])]))
    }
}
