import AWSModels
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
        let name: String
        var details: ShapeFields = ["lifecycleRuleId": .string(action.ruleId)]
        switch action.kind {
        case .expiration: name = "LifecycleExpiration"
        case .transition(let storageClass):
            name = "LifecycleTransition"
            details["storageClass"] = .string(storageClass)
        case .abortIncompleteUpload(let uploadId):
            name = "LifecycleAbortIncompleteMultipartUpload"
            details["uploadId"] = .string(uploadId)
        }
        try append(
            ObjectEvent(
                name: name, service: "s3.amazonaws.com", bucket: action.bucket, owner: action.owner,
                region: action.region, key: action.key, time: action.time),
            eventType: "AwsServiceEvent", details: details, in: tx)
    }

    /// Records an object another service wrote into a bucket as itself (ElastiCache's snapshot
    /// exports): a PutObject data event by the AWSService principal, for the bucket owner's
    /// trails that select the object.
    package static func recordServiceWrite(
        service: String, bucket: String, owner: String, region: String, key: String, time: Date,
        in tx: any StateWriter
    ) throws {
        try append(
            ObjectEvent(
                name: "PutObject", service: service, bucket: bucket, owner: owner, region: region, key: key,
                time: time),
            eventType: "AwsApiCall", details: nil, in: tx)
    }

    /// An event on one object, taken by a service principal.
    struct ObjectEvent {
        var name: String
        /// The acting service (`s3.amazonaws.com`, `elasticache.amazonaws.com`).
        var service: String
        var bucket: String
        var owner: String
        var region: String
        var key: String
        var time: Date
    }

    private static func append(
        _ event: ObjectEvent, eventType: String, details: ShapeFields?, in tx: any StateWriter
    ) throws {
        let bucketArn = Partition(region: event.region).arn("s3", event.bucket)
        let objectArn = "\(bucketArn)/\(event.key)"
        let eventID = RandomIdentifier.timeOrdered(at: event.time)
        var entry = JournalEntry(
            eventID: eventID, account: event.owner, region: event.region, eventTime: event.time,
            eventName: event.name, eventSource: "s3.amazonaws.com", readOnly: false, username: nil, accessKeyId: nil,
            record: "", management: false, resourceArn: objectArn)
        guard try DataEventSelection.wanted(entry, in: tx) else { return }
        var record = OrderedJSON()
        record.add("eventVersion", EventRecorder.eventVersion)
        record.addRaw("userIdentity", UserIdentity.render(.service(event.service, account: event.owner)))
        record.add("eventTime", iso8601: event.time)
        record.add("eventSource", "s3.amazonaws.com")
        record.add("eventName", event.name)
        record.add("awsRegion", event.region)
        record.add("sourceIPAddress", event.service)
        record.add("userAgent", event.service)
        record.add(
            "requestParameters", .object(["bucketName": .string(event.bucket), "key": .string(event.key)]))
        record.addRaw("responseElements", "null")
        record.add("eventID", eventID)
        record.add("readOnly", false)
        record.add(
            "resources",
            .list([
                .object(["type": .string("AWS::S3::Object"), "ARN": .string(objectArn)]),
                .object([
                    "accountId": .string(event.owner), "type": .string("AWS::S3::Bucket"),
                    "ARN": .string(bucketArn),
                ]),
            ]))
        record.add("eventType", eventType)
        record.add("managementEvent", false)
        record.add("recipientAccountId", event.owner)
        if let details { record.add("serviceEventDetails", .structure(details)) }
        record.add("eventCategory", "Data")
        entry.record = record.text
        try tx.appendEvent(entry)
    }
}
