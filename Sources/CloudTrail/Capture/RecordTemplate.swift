import AWSModels
import AWSWire
import ServiceContract
import Synchronization

/// The members of a call's record that repeat from one call to the next of the same client:
/// all but the eventTime, requestID, eventID, requestParameters and resources. Rendering them
/// for every call (~15 keys and quoted values, the kept userIdentity looked up) cost ~10,500 of
/// `EventRecorder.prepare`'s ~18,000 instructions for a Describe (callgrind).
struct RecordTemplate: Sendable {
    /// `"eventVersion":…,"userIdentity":{…},"eventTime":` (the key without its value).
    var beforeTime: [UInt8]
    /// `"eventSource":…` through `"userAgent":…`.
    var afterTime: [UInt8]
    /// `"readOnly":…` through `"apiVersion":…`, after the eventID (the resources follow).
    var afterIDs: [UInt8]
    /// `managementEvent` through `eventCategory` (and the console session's flag).
    var closing: [UInt8]
    /// `elasticache.amazonaws.com`.
    var eventSource: String

    /// The one layout of these members: `owner` renders the copy of a cross-account event that
    /// the resource owner receives, carrying `shared` (the sharedEventID).
    init(_ call: CallContext, owner: String?, shared: String?) {
        let service = call.model.metadata.endpointPrefix
        eventSource = service + ".amazonaws.com"
        var before = OrderedJSON(reserving: 768)
        before.add("eventVersion", EventRecorder.eventVersion)
        before.addRaw(
            "userIdentity",
            owner == nil ? UserIdentity.render(call.principal) : UserIdentity.crossAccount(call.principal))
        before.appendKey("eventTime")
        beforeTime = before.body
        var after = OrderedJSON(reserving: 256)
        after.add("eventSource", eventSource)
        after.add("eventName", call.eventName)
        after.add("awsRegion", service == "iam" ? "us-east-1" : call.region)
        after.add("sourceIPAddress", call.sourceIP)
        after.add("userAgent", call.userAgent)
        afterTime = after.body
        var identifiers = OrderedJSON(reserving: 128)
        identifiers.add("readOnly", EventRecorder.isReadOnly(call.eventName))
        identifiers.add("eventType", "AwsApiCall")
        if service == "elasticache" {
            identifiers.add("apiVersion", call.model.metadata.apiVersion)
        }
        afterIDs = identifiers.body
        var closing = OrderedJSON(reserving: 256)
        closing.add("managementEvent", !call.isDataEvent)
        closing.add("recipientAccountId", owner ?? call.principal.accountId)
        if let shared { closing.add("sharedEventID", shared) }
        closing.add("eventCategory", call.isDataEvent ? "Data" : "Management")
        if call.principal.consoleSession == true, owner == nil {
            closing.add("sessionCredentialFromConsole", "true")
        }
        self.closing = closing.body
    }
}

/// Templates kept by caller and operation, each used while the call it was rendered from
/// matches in everything the template holds; with the requestParameters of that call's input.
enum RecordTemplates {
    private struct Key: Hashable {
        /// The access key, or the principal's ARN.
        var caller: String
        var eventName: String
    }

    /// A reference, so a lookup copies none of it (a struct holding the call cost ~2,000
    /// instructions a lookup to copy and destroy).
    private final class Kept: Sendable {
        /// What the template was rendered from, besides its key.
        let principal: Principal
        let region: String
        let sourceIP: String
        let userAgent: String
        let service: String
        let apiVersion: String
        let template: RecordTemplate
        /// The input's rendering, and what it was rendered from.
        let input: ShapeValue?
        let inputShape: String?
        let requestParameters: String

        init(_ call: CallContext, template: RecordTemplate, requestParameters: String) {
            principal = call.principal
            region = call.region
            sourceIP = call.sourceIP
            userAgent = call.userAgent
            service = call.model.metadata.endpointPrefix
            apiVersion = call.model.metadata.apiVersion
            self.template = template
            input = call.input
            inputShape = call.operation?.input
            self.requestParameters = requestParameters
        }

        /// Whether `template` is `call`'s too (the key has matched its caller and operation).
        func holds(for call: CallContext) -> Bool {
            principal == call.principal && region == call.region && sourceIP == call.sourceIP
                && userAgent == call.userAgent && service == call.model.metadata.endpointPrefix
                && apiVersion == call.model.metadata.apiVersion
        }
    }

    private static let kept = Mutex<[Key: Kept]>([:])
    /// Templates kept at most (a full set starts over).
    private static let limit = 1_024

    /// `call`'s template and requestParameters: kept ones when they match, else rendered and
    /// kept. Only for a call whose members all repeat (not shared across accounts, not S3's,
    /// not a data event).
    static func template(for call: CallContext, render: (CallContext) -> String) -> (RecordTemplate, String) {
        let key = Key(caller: call.principal.accessKeyId ?? call.principal.arn, eventName: call.eventName)
        let found = kept.withLock { kept -> (RecordTemplate, String?)? in
            guard let entry = kept[key], entry.holds(for: call) else { return nil }
            let same = entry.input == call.input && entry.inputShape == call.operation?.input
            return (entry.template, same ? entry.requestParameters : nil)
        }
        if let (template, request) = found {
            // Another input keeps the first one's rendering: a client whose every input differs
            // (creates, each naming a new resource) would replace its entry on every call.
            return (template, request ?? render(call))
        }
        let template = RecordTemplate(call, owner: nil, shared: nil)
        let request = render(call)
        kept.withLock { kept in
            if kept.count >= limit, kept[key] == nil { kept.removeAll(keepingCapacity: true) }
            kept[key] = Kept(call, template: template, requestParameters: request)
        }
        return (template, request)
    }
}
