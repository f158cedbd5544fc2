import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence

/// Builds the CloudTrail record of a call (eventVersion 1.11) and its journal entry.
public struct EventRecorder: Sendable {
    public static let eventVersion = "1.11"

    public init() {}

    /// The journal entry for `call`, which answered `output` or failed with `error`.
    public func entry(
        for call: CallContext, output: ShapeValue?, error: AWSError?, eventID: String = UUID().uuidString.lowercased()
    )
        -> JournalEntry
    {
        let readOnly = Self.isReadOnly(call.eventName)
        let source = "\(call.model.metadata.endpointPrefix).amazonaws.com"
        let region = call.model.metadata.endpointPrefix == "iam" ? "us-east-1" : call.region
        var record = OrderedJSON()
        record.add("eventVersion", .string(Self.eventVersion))
        record.addRaw("userIdentity", UserIdentity.render(call.principal))
        record.add("eventTime", .string(Timestamps.iso8601(call.time)))
        record.add("eventSource", .string(source))
        record.add("eventName", .string(call.eventName))
        record.add("awsRegion", .string(region))
        record.add("sourceIPAddress", .string(call.sourceIP))
        record.add("userAgent", .string(call.userAgent))
        if let error {
            record.add("errorCode", .string(error.code))
            record.add("errorMessage", .string(error.message))
        }
        let rendering = EventValues(model: call.model)
        record.addRaw("requestParameters", rendering.requestParameters(call.input, shape: call.operation?.input))
        let response = readOnly || error != nil ? nil : output
        record.addRaw("responseElements", rendering.responseElements(response, shape: call.operation?.output))
        record.add("requestID", .string(call.requestID))
        record.add("eventID", .string(eventID))
        record.add("readOnly", .boolean(readOnly))
        record.add("eventType", .string("AwsApiCall"))
        if call.model.metadata.endpointPrefix == "elasticache" {
            record.add("apiVersion", .string(call.model.metadata.apiVersion))
        }
        if call.isDataEvent {
            record.add(
                "resources",
                .list(
                    call.dataResources.map {
                        .object([
                            "type": .string($0.type), "ARN": .string($0.arn),
                            "accountId": $0.accountId.map(ShapeValue.string),
                        ])
                    }))
        }
        record.add("managementEvent", .boolean(!call.isDataEvent))
        record.add("recipientAccountId", .string(call.principal.accountId))
        record.add("eventCategory", .string(call.isDataEvent ? "Data" : "Management"))
        return JournalEntry(
            eventID: eventID, account: call.principal.accountId, region: region, eventTime: call.time,
            eventName: call.eventName, eventSource: source, readOnly: readOnly,
            username: UserIdentity.username(call.principal), accessKeyId: call.principal.accessKeyId,
            record: record.text, management: !call.isDataEvent, resourceArn: call.dataResources.first?.arn,
            resourceType: call.resourceArn.flatMap(ResourceTypes.type),
            resourceName: call.resourceArn.flatMap(ResourceTypes.name))
    }

    /// Read-only calls (every Describe*, List*, Get*, Head* and LookupEvents) have null responseElements.
    public static func isReadOnly(_ name: String) -> Bool {
        ["Describe", "List", "Get", "Lookup", "Head"].contains { name.hasPrefix($0) }
    }
}

/// A JSON object whose keys keep the order they were added in (CloudTrail's field order).
struct OrderedJSON {
    private var body = ""

    mutating func addRaw(_ key: String, _ json: String) {
        if !body.isEmpty { body += "," }
        body += JSONWriter.quote(key) + ":" + json
    }

    mutating func add(_ key: String, _ value: ShapeValue) {
        addRaw(key, JSONWriter.write(value))
    }

    /// The finished object.
    var text: String { "{" + body + "}" }
}
