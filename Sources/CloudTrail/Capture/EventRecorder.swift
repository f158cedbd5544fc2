import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence

/// Builds the CloudTrail record of a call (eventVersion 1.11) and its journal entry.
public struct EventRecorder: Sendable {
    public static let eventVersion = "1.11"

    public init() {}

    /// The part of a record that does not depend on the call's outcome: the fields before
    /// `errorCode` and the rendered requestParameters. The gateway prepares it before the
    /// call's transaction, so the single writer thread only renders the response.
    public struct Prepared: Sendable {
        var head: String
        var requestParameters: String
    }

    public func prepare(_ call: CallContext) -> Prepared {
        let region = call.model.metadata.endpointPrefix == "iam" ? "us-east-1" : call.region
        var record = OrderedJSON()
        record.add("eventVersion", .string(Self.eventVersion))
        record.addRaw("userIdentity", UserIdentity.render(call.principal))
        record.add("eventTime", .string(Timestamps.iso8601(call.time)))
        record.add("eventSource", .string("\(call.model.metadata.endpointPrefix).amazonaws.com"))
        record.add("eventName", .string(call.eventName))
        record.add("awsRegion", .string(region))
        record.add("sourceIPAddress", .string(call.sourceIP))
        record.add("userAgent", .string(call.userAgent))
        let request = EventValues(model: call.model).requestParameters(call.input, shape: call.operation?.input)
        return Prepared(head: record.body, requestParameters: request)
    }

    /// The journal entry for `call`, which answered `output` or failed with `error`.
    public func entry(
        for call: CallContext, prepared: Prepared? = nil, output: ShapeValue?, error: AWSError?,
        eventID: String = UUID().uuidString.lowercased()
    )
        -> JournalEntry
    {
        let readOnly = Self.isReadOnly(call.eventName)
        let source = "\(call.model.metadata.endpointPrefix).amazonaws.com"
        let region = call.model.metadata.endpointPrefix == "iam" ? "us-east-1" : call.region
        let prepared = prepared ?? prepare(call)
        var record = OrderedJSON(body: prepared.head)
        if let error {
            record.add("errorCode", .string(error.code))
            record.add("errorMessage", .string(error.message))
        }
        let rendering = EventValues(model: call.model)
        let response = readOnly || error != nil ? nil : output
        var omitted = false
        for (key, json) in [
            ("requestParameters", prepared.requestParameters),
            ("responseElements", rendering.responseElements(response, shape: call.operation?.output)),
        ] {
            let fits = json.utf8.count <= Self.maxFieldBytes
            omitted = omitted || !fits
            record.addRaw(key, fits ? json : "null")
        }
        record.add("requestID", .string(call.requestID))
        record.add("eventID", .string(eventID))
        record.add("readOnly", .boolean(readOnly))
        record.add("eventType", .string("AwsApiCall"))
        if call.model.metadata.endpointPrefix == "elasticache" {
            record.add("apiVersion", .string(call.model.metadata.apiVersion))
        }
        if call.isDataEvent {
            record.add("resources", .list(call.dataResources.map { Self.resource($0.type, $0.arn, $0.accountId) }))
        } else if let arn = call.resourceArn, let type = ResourceTypes.type(arn) {
            record.add("resources", .list([Self.resource(type, arn, ResourceTypes.account(arn))]))
        }
        if omitted { record.add("omitted", .boolean(true)) }
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

    /// CloudTrail's ceiling for requestParameters and responseElements: a larger field is
    /// recorded as null and the record carries `"omitted": true`.
    public static let maxFieldBytes = 100 * 1024

    private static func resource(_ type: String, _ arn: String, _ account: String?) -> ShapeValue {
        .object(["accountId": account.map(ShapeValue.string), "type": .string(type), "ARN": .string(arn)])
    }

    /// Read-only calls (every Describe*, List*, Get*, Head* and LookupEvents) have null responseElements.
    public static func isReadOnly(_ name: String) -> Bool {
        ["Describe", "List", "Get", "Lookup", "Head"].contains { name.hasPrefix($0) }
    }
}

/// A JSON object whose keys keep the order they were added in (CloudTrail's field order).
struct OrderedJSON {
    fileprivate(set) var body = ""

    init(body: String = "") {
        self.body = body
    }

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
