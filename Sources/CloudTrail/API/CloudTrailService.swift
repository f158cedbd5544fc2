import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// CloudTrail (JSON 1.1, 2013-11-01): event history (LookupEvents) and trails with their
/// delivery. Lake, channels, dashboards and imports answer `UnknownOperationException`
/// saying they are not served yet.
package struct CloudTrailService: ServiceHandler {
    package let model = ServiceModel.cloudTrail
    /// Event history keeps 90 days.
    package static let retention: TimeInterval = 90 * 86_400

    let delivery: TrailDelivery

    package init(delivery: TrailDelivery) {
        self.delivery = delivery
    }

    package func resource(for call: OperationCall) -> String? {
        guard let name = call.string(.name) ?? call.string(.trailName) ?? call.string(.resourceId) else {
            return "*"
        }
        let (account, region, trail) = TrailValidation.parse(name, account: call.account, region: call.region)
        return Partition.trailARN(region: region, account: account, name: trail)
    }

    /// The account's trails whose home is `region`, with their tags.
    package func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource] {
        try tx.list(TrailRecord.self, kind: TrailRecord.kind, scope: TrailRecord.scope)
            .filter { $0.account == account && $0.homeRegion == region }
            .map { TaggedResource(arn: $0.arn, tags: $0.tags) }
    }

    package func readsJournal(_ operation: OperationModel) -> Bool { operation.name == "LookupEvents" }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let trails = TrailOperations(call: call, tx: tx, delivery: delivery)
        switch call.operation.name {
        case "LookupEvents": return try EventHistory(call: call).lookup(in: tx)
        case "CreateTrail": return try trails.create()
        case "UpdateTrail": return try trails.update()
        case "DeleteTrail": return try trails.delete()
        case "GetTrail": return .object(["Trail": trails.render(try trails.trail(try call.required(.name)))])
        case "DescribeTrails":
            let names = call[.trailNameList]?.listValue?.compactMap(\.stringValue)
            let shadows = call[.includeShadowTrails]?.boolValue ?? true
            return .object(["trailList": .list(try trails.visible(names: names, shadows: shadows).map(trails.render))])
        case "ListTrails":
            return .object([
                "Trails": .list(
                    try trails.visible(names: nil, shadows: true).map {
                        .object([
                            "TrailARN": .string($0.arn), "Name": .string($0.name), "HomeRegion": .string($0.homeRegion),
                        ])
                    })
            ])
        case "StartLogging": return try trails.startLogging()
        case "StopLogging": return try trails.stopLogging()
        case "GetTrailStatus": return try trails.status()
        case "PutEventSelectors": return try trails.putEventSelectors()
        case "GetEventSelectors": return try trails.getEventSelectors()
        case "PutInsightSelectors": return try trails.insightSelectors(put: true)
        case "GetInsightSelectors": return try trails.insightSelectors(put: false)
        case "AddTags", "RemoveTags", "ListTags": return try trails.tags()
        case "ListPublicKeys": return try PublicKeys.list(call, in: tx)
        default:
            throw AWSError(
                code: "UnknownOperationException",
                message: "The operation \(call.operation.name) is not served by this server yet.")
        }
    }
}

/// LookupEvents: one attribute, a time range, pages newest first with a stable NextToken.
struct EventHistory {
    let call: OperationCall

    func lookup(in tx: any StateReader) throws -> ShapeValue {
        let attributes = call[.lookupAttributes]?.listValue ?? []
        guard attributes.count <= 1 else {
            throw call.error(.invalidLookupAttributesException, "You cannot specify more than one lookup attribute.")
        }
        var attribute: (JournalQuery.Attribute, String)?
        if let first = attributes.first, let key = first[member: "AttributeKey"]?.stringValue,
            let value = first[member: "AttributeValue"]?.stringValue
        {
            switch key {
            case "EventId": attribute = (.eventId, value)
            case "EventName": attribute = (.eventName, value)
            case "ReadOnly": attribute = (.readOnly, value)
            case "Username": attribute = (.username, value)
            case "ResourceType": attribute = (.resourceType, value)
            case "ResourceName": attribute = (.resourceName, value)
            case "EventSource": attribute = (.eventSource, value)
            case "AccessKeyId": attribute = (.accessKeyId, value)
            default: throw call.error(.invalidLookupAttributesException, "Invalid attribute key: \(key).")
            }
        }
        let limit = call.int(.maxResults) ?? 50
        guard (1...50).contains(limit) else {
            throw call.error(.invalidMaxResultsException, "MaxResults must be between 1 and 50.")
        }
        let oldest = call.now.addingTimeInterval(-CloudTrailService.retention)
        var start = call[.startTime].flatMap(Self.date) ?? oldest
        let end = call[.endTime].flatMap(Self.date)
        if let end, start > end {
            throw call.error(.invalidTimeRangeException, "StartTime must be before EndTime.")
        }
        start = max(start, oldest)
        var before: Int64?
        if let token = call.string(.NextToken) {
            // The token names the page's last event, found again in the caller's own history:
            // it reveals no journal position and works in no other account or region.
            guard let eventID = Self.eventID(token),
                let last = try tx.events(
                    JournalQuery(
                        account: call.account, region: call.region, attribute: (.eventId, eventID), start: oldest,
                        end: nil, before: nil, limit: 1)
                ).first
            else {
                throw call.error(.invalidNextTokenException, "The NextToken is not valid.")
            }
            before = last.position
        }
        let rows = try tx.events(
            JournalQuery(
                account: call.account, region: call.region, attribute: attribute, start: start, end: end,
                before: before,
                limit: limit + 1))
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last.map { Self.token($0.entry.eventID) } : nil
        return .object([
            "Events": .list(page.map { Self.event($0.entry) }),
            "NextToken": next.map(ShapeValue.string),
        ])
    }

    static func event(_ entry: JournalEntry) -> ShapeValue {
        .object([
            "EventId": .string(entry.eventID), "EventName": .string(entry.eventName),
            "ReadOnly": .string(entry.readOnly ? "true" : "false"),
            "AccessKeyId": entry.accessKeyId.map(ShapeValue.string),
            "EventTime": .timestamp(entry.eventTime), "EventSource": .string(entry.eventSource),
            "Username": entry.username.map(ShapeValue.string),
            "Resources": .list(
                entry.resourceType.map { type in
                    [
                        .object([
                            "ResourceType": .string(type), "ResourceName": entry.resourceName.map(ShapeValue.string),
                        ])
                    ]
                } ?? []),
            "CloudTrailEvent": .string(entry.record),
        ])
    }

    static func date(_ value: ShapeValue) -> Date? {
        if case .timestamp(let date) = value { return date }
        return nil
    }

    /// Tokens are opaque to callers: the id of the last event returned.
    static func token(_ eventID: String) -> String {
        Data("event:\(eventID)".utf8).base64EncodedString()
    }

    static func eventID(_ token: String) -> String? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("event:")
        else { return nil }
        return String(text.dropFirst("event:".count))
    }
}
