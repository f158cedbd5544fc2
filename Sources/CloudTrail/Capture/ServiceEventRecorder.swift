import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Records actions a service takes by itself as `AwsServiceEvent` records: today, S3
/// lifecycle rules expiring or transitioning objects and aborting incomplete uploads.
///
/// They are data events on the object (`AWS::S3::Object`), recorded only when a logging
/// trail of the bucket owner selects that object's data events, like the calls they mirror.
/// Event names are ours (AWS does not log lifecycle actions through CloudTrail):
/// `LifecycleExpiration`, `LifecycleTransition`, `LifecycleAbortIncompleteMultipartUpload`.
package enum ServiceEventRecorder {
    /// An action S3 took by itself on an object, as the server's lifecycle executor reports it.
    package struct LifecycleAction: Sendable {
        package enum Kind: Sendable, Equatable {
            case expiration
            case transition(storageClass: String)
            case abortIncompleteUpload(uploadId: String)
        }

        package var kind: Kind
        package var bucket: String
        package var owner: String
        package var region: String
        package var key: String
        package var ruleId: String
        package var time: Date

        package init(
            kind: Kind, bucket: String, owner: String, region: String, key: String, ruleId: String, time: Date
        ) {
            self.kind = kind
            self.bucket = bucket
            self.owner = owner
            self.region = region
            self.key = key
            self.ruleId = ruleId
            self.time = time
        }
    }

    package static func record(_ action: LifecycleAction, in tx: any StateWriter) throws {
        let objectArn = "arn:aws:s3:::\(action.bucket)/\(action.key)"
        let name: String
        var details: [String: ShapeValue] = ["lifecycleRuleId": .string(action.ruleId)]
        switch action.kind {
        case .expiration: name = "LifecycleExpiration"
        case .transition(let storageClass):
            name = "LifecycleTransition"
            details["storageClass"] = .string(storageClass)
        case .abortIncompleteUpload(let uploadId):
            name = "LifecycleAbortIncompleteMultipartUpload"
            details["uploadId"] = .string(uploadId)
        }
        let eventID = UUID().uuidString.lowercased()
        var entry = JournalEntry(
            eventID: eventID, account: action.owner, region: action.region, eventTime: action.time,
            eventName: name, eventSource: "s3.amazonaws.com", readOnly: false, username: nil, accessKeyId: nil,
            record: "", management: false, resourceArn: objectArn)
        guard try DataEventSelection.wanted(entry, in: tx) else { return }
        var record = OrderedJSON()
        record.add("eventVersion", .string(EventRecorder.eventVersion))
        record.addRaw("userIdentity", UserIdentity.render(.service("s3.amazonaws.com", account: action.owner)))
        record.add("eventTime", .string(Timestamps.iso8601(action.time)))
        record.add("eventSource", .string("s3.amazonaws.com"))
        record.add("eventName", .string(name))
        record.add("awsRegion", .string(action.region))
        record.add("sourceIPAddress", .string("s3.amazonaws.com"))
        record.add("userAgent", .string("s3.amazonaws.com"))
        record.add(
            "requestParameters", .object(["bucketName": .string(action.bucket), "key": .string(action.key)]))
        record.addRaw("responseElements", "null")
        record.add("eventID", .string(eventID))
        record.add("readOnly", .boolean(false))
        record.add(
            "resources",
            .list([
                .object(["type": .string("AWS::S3::Object"), "ARN": .string(objectArn)]),
                .object([
                    "accountId": .string(action.owner), "type": .string("AWS::S3::Bucket"),
                    "ARN": .string("arn:aws:s3:::\(action.bucket)"),
                ]),
            ]))
        record.add("eventType", .string("AwsServiceEvent"))
        record.add("managementEvent", .boolean(false))
        record.add("recipientAccountId", .string(action.owner))
        record.add("serviceEventDetails", .structure(details))
        record.add("eventCategory", .string("Data"))
        entry.record = record.text
        try tx.appendEvent(entry)
    }
}
