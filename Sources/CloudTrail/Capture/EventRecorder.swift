import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Builds the CloudTrail record of a call (eventVersion 1.11) and its journal entry.
package struct EventRecorder: Sendable {
    package static let eventVersion = "1.11"

    package init() {}

    /// The parts of a record that do not depend on the call's outcome: the fields before
    /// `errorCode`, the rendered requestParameters and the fields after responseElements. The
    /// gateway prepares them before the call's transaction, so the single writer thread only
    /// renders the response.
    package struct Prepared: Sendable {
        var head: [UInt8]
        var requestParameters: String
        var eventID: String
        /// `elasticache.amazonaws.com`: the record's and the journal entry's.
        var eventSource: String
        /// `requestID` through `resources`.
        var identifiers: [UInt8]
        /// `managementEvent` through `eventCategory` (after `omitted`, when present).
        var closing: [UInt8]
        var resource: ResourceTypes.Resource?
        /// Shared with the resource owner's copy of a cross-account event.
        var sharedEventID: String?
    }

    /// - Parameters:
    ///   - owner: render the copy of `call`'s event that the account `owner` receives (a
    ///     cross-account call's resource owner), carrying `sharedEventID`.
    package func prepare(
        _ call: CallContext, eventID: String? = nil, sharedEventID: String? = nil,
        copyFor owner: String? = nil
    ) -> Prepared {
        let eventID = eventID ?? RandomIdentifier.timeOrdered(at: call.time)
        let shared = sharedEventID ?? call.sharedWith.map { _ in RandomIdentifier.uuid() }
        let renderRequest = { (call: CallContext) in
            call.s3 != nil
                ? S3RecordValues(model: call.model).requestParameters(call)
                : EventValues(model: call.model).requestParameters(call.input, shape: call.operation?.input)
        }
        // Only a call whose members all repeat for its client keeps a template.
        let (template, request) =
            owner == nil && shared == nil && call.s3 == nil && !call.isDataEvent
            ? RecordTemplates.template(for: call, render: renderRequest)
            : (RecordTemplate(call, owner: owner, shared: shared), renderRequest(call))
        var head = OrderedJSON(reserving: template.beforeTime.count + template.afterTime.count + 32)
        head.append(template.beforeTime)
        head.appendValue(iso8601: call.time)
        head.append(template.afterTime)

        let resource = call.isDataEvent ? nil : call.resourceArn.flatMap(ResourceTypes.resource)
        var identifiers = OrderedJSON(reserving: template.afterIDs.count + 256)
        identifiers.add("requestID", call.requestID)
        identifiers.add("eventID", eventID)
        identifiers.append(template.afterIDs)
        if call.isDataEvent {
            identifiers.add(resources: call.dataResources.map { ($0.type, $0.arn, $0.accountId) })
        } else if let arn = call.resourceArn, let resource {
            identifiers.add(resources: [(resource.type, arn, resource.account)])
        }
        return Prepared(
            head: head.body, requestParameters: request, eventID: eventID, eventSource: template.eventSource,
            identifiers: identifiers.body, closing: template.closing, resource: resource, sharedEventID: shared)
    }

    /// Renders the response elements of `answer`, the answer `call` will give (a staged
    /// create's), ahead of its transaction: its ``AWSWire/EncodedValue`` parts keep their JSON,
    /// which the entry rendered in the transaction then copies.
    package func renderAhead(_ answer: ShapeValue, for call: CallContext) {
        guard !Self.isReadOnly(call.eventName) else { return }
        _ = EventValues(model: call.model).responseElementBytes(answer, shape: call.operation?.output)
    }

    /// The journal entries of `call`: its event, and for a successful cross-account call the
    /// resource owner's copy (same sharedEventID, its own eventID, the caller as AWSAccount).
    package func entries(for call: CallContext, prepared: Prepared? = nil, output: ShapeValue?, error: AWSError?)
        -> [JournalEntry]
    {
        let prepared = prepared ?? prepare(call)
        let own = entry(for: call, prepared: prepared, output: output, error: error)
        guard error == nil, let owner = call.sharedWith, let shared = prepared.sharedEventID else { return [own] }
        var copy = entry(
            for: call, prepared: prepare(call, sharedEventID: shared, copyFor: owner), output: output, error: nil)
        copy.account = owner
        copy.username = nil
        copy.accessKeyId = nil
        return [own, copy]
    }

    /// The journal entry for `call`, which answered `output` or failed with `error`.
    package func entry(for call: CallContext, prepared: Prepared? = nil, output: ShapeValue?, error: AWSError?)
        -> JournalEntry
    {
        let readOnly = Self.isReadOnly(call.eventName)
        let service = call.model.metadata.endpointPrefix
        let prepared = prepared ?? prepare(call)
        let response = readOnly || error != nil ? nil : output
        let responseElements = EventValues(model: call.model).responseElements(response, shape: call.operation?.output)
        // One copy of the head into a body with room for the rest.
        var record = OrderedJSON(
            reserving: prepared.head.count + prepared.requestParameters.utf8.count + responseElements.utf8.count
                + prepared.identifiers.count + prepared.closing.count + 512)
        record.append(prepared.head)
        if let error {
            record.add("errorCode", error.code)
            record.add("errorMessage", error.message)
        }
        var omitted = false
        let fields: [(StaticString, String)] = [
            ("requestParameters", prepared.requestParameters), ("responseElements", responseElements),
        ]
        for (key, json) in fields {
            let fits = json.utf8.count <= Self.maxFieldBytes
            omitted = omitted || !fits
            record.addRaw(key, fits ? json : "null")
        }
        if let transfer = call.s3 {
            let bytesOut = error == nil ? S3RecordValues.bytesOut(output) : 0
            record.addRaw(
                "additionalEventData",
                S3RecordValues.additionalEventData(transfer, bytesOut: bytesOut, requestID: call.requestID))
        }
        record.append(prepared.identifiers)
        if omitted { record.add("omitted", true) }
        record.append(prepared.closing)
        return JournalEntry(
            eventID: prepared.eventID, account: call.principal.accountId,
            region: service == "iam" ? "us-east-1" : call.region,
            // The record's eventTime has whole seconds; LookupEvents answers the same instant.
            eventTime: Date(timeIntervalSince1970: call.time.timeIntervalSince1970.rounded(.down)),
            eventName: call.eventName,
            eventSource: prepared.eventSource, readOnly: readOnly,
            username: UserIdentity.username(call.principal), accessKeyId: call.principal.accessKeyId,
            record: record.text, management: !call.isDataEvent, resourceArn: call.dataResources.first?.arn,
            resourceType: call.isDataEvent ? call.dataResources.first?.type : prepared.resource?.type,
            resourceName: prepared.resource?.name)
    }

    /// CloudTrail's ceiling for requestParameters and responseElements: a larger field is
    /// recorded as null and the record carries `"omitted": true`.
    package static let maxFieldBytes = 100 * 1024

    /// Read-only calls (every Describe*, List*, Get*, Head*, Simulate* and LookupEvents) have null responseElements.
    package static func isReadOnly(_ name: String) -> Bool {
        // Told by the first letter, then one prefix compared as bytes (a list of six prefixes
        // built and walked with `hasPrefix` cost ~320 instructions each of a call's three asks).
        func starts(_ prefix: StaticString) -> Bool {
            prefix.withUTF8Buffer { prefix in
                name.utf8.withContiguousStorageIfAvailable { name in
                    guard name.count >= prefix.count else { return false }
                    for at in prefix.indices where name[at] != prefix[at] { return false }
                    return true
                } ?? name.utf8.starts(with: prefix)
            }
        }
        return switch name.utf8.first {
        case UInt8(ascii: "D"): starts("Describe")
        case UInt8(ascii: "L"): starts("List") || starts("Lookup")
        case UInt8(ascii: "G"): starts("Get")
        case UInt8(ascii: "H"): starts("Head")
        case UInt8(ascii: "S"): starts("Simulate")
        default: false
        }
    }
}

/// A JSON object whose keys keep the order they were added in (CloudTrail's field order).
/// Built as UTF-8 bytes: appending to a `[UInt8]` costs a fraction of a `String` append
/// (~300 instructions each, callgrind), and a record takes some thirty.
struct OrderedJSON {
    /// The members, `"a":1,"b":2`.
    fileprivate(set) var body: [UInt8] = []

    init() {}

    /// Room for `bytes` of body up front: a record's parts grew by copying, a few times each
    /// (perf).
    init(reserving bytes: Int) {
        body.reserveCapacity(bytes)
    }

    mutating func addRaw(_ key: StaticString, _ json: String) {
        appendKey(key)
        // The UTF-8 copied whole from where it is (the UTF8View's generic append: ~370
        // instructions a field, callgrind).
        var json = json
        json.withUTF8 { body.append(contentsOf: $0) }
    }

    /// Keys are literals of ours, needing no escape: copied without a scan (perf). `,"key":` is
    /// composed on the stack and appended once: an append a byte cost ~180 instructions a key
    /// (callgrind), some sixteen keys a record.
    /// - Parameter first: the key opens an object nested in the body (no comma before it).
    mutating func appendKey(_ key: StaticString, first: Bool = false) {
        let count = key.utf8CodeUnitCount
        // The first member has no comma before it.
        let start = first || body.isEmpty ? 1 : 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 4) { text in
            text[0] = UInt8(ascii: ",")
            text[1] = UInt8(ascii: "\"")
            key.withUTF8Buffer { name in
                guard let from = name.baseAddress, let to = text.baseAddress else { return }
                (to + 2).initialize(from: from, count: count)
            }
            text[count + 2] = UInt8(ascii: "\"")
            text[count + 3] = UInt8(ascii: ":")
            body.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
        }
    }

    /// Appends the members of another object's body.
    mutating func append(_ members: [UInt8]) {
        guard !members.isEmpty else { return }
        if !body.isEmpty { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: members)
    }

    mutating func add(_ key: StaticString, _ value: ShapeValue) {
        appendKey(key)
        JSONWriter.append(value, to: &body, timestamps: .epochSeconds)
    }

    /// A string member, quoted straight from the text (no ``ShapeValue`` around it).
    mutating func add(_ key: StaticString, _ text: String) {
        appendKey(key)
        JSONWriter.appendQuoted(text, to: &body)
    }

    /// `"resources":[{"ARN":…,"accountId":…,"type":…}]`, each object's keys in the order
    /// ``AWSWire/JSONWriter`` sorts them (`accountId` left out when nil), written in place:
    /// building the objects as ``AWSWire/ShapeValue`` dictionaries and writing those cost
    /// ~16,000 instructions a create's record (callgrind).
    mutating func add(resources: [(type: String, arn: String, account: String?)]) {
        appendKey("resources")
        body.append(UInt8(ascii: "["))
        for (index, resource) in resources.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(UInt8(ascii: "{"))
            appendKey("ARN", first: true)
            JSONWriter.appendQuoted(resource.arn, to: &body)
            if let account = resource.account {
                appendKey("accountId")
                JSONWriter.appendQuoted(account, to: &body)
            }
            appendKey("type")
            JSONWriter.appendQuoted(resource.type, to: &body)
            body.append(UInt8(ascii: "}"))
        }
        body.append(UInt8(ascii: "]"))
    }

    mutating func add(_ key: StaticString, _ flag: Bool) {
        appendKey(key)
        let literal: StaticString = flag ? "true" : "false"
        literal.withUTF8Buffer { body.append(contentsOf: $0) }
    }

    /// `date` as `2014-12-01T22:00:35Z`, written in place (its digits need no escape).
    mutating func add(_ key: StaticString, iso8601 date: Date) {
        appendKey(key)
        appendValue(iso8601: date)
    }

    /// `date`'s value, quoted, after a key written by ``appendKey(_:first:)``.
    mutating func appendValue(iso8601 date: Date) {
        body.append(UInt8(ascii: "\""))
        Timestamps.appendISO8601(date, to: &body)
        body.append(UInt8(ascii: "\""))
    }

    /// The finished object.
    var text: String {
        String(unsafeUninitializedCapacity: body.count + 2) { text in
            text[0] = UInt8(ascii: "{")
            _ = text[1...].initialize(fromContentsOf: body)
            text[body.count + 1] = UInt8(ascii: "}")
            return body.count + 2
        }
    }
}
