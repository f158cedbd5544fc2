import AWSModels
import AWSWire
import Persistence

/// A trail's event selectors (basic or advanced, management events), as a predicate.
struct EventSelectors {
    struct Basic {
        var readWrite: String
        var management: Bool
        var excludedSources: Set<String>
        /// `AWS::S3::Object` ARN prefixes this selector logs data events for.
        var objectPrefixes: [String]
    }

    var basic: [Basic] = []
    var advanced: [[ShapeValue]] = []

    init(trail: TrailRecord) {
        for selector in trail.eventSelectors?.listValue ?? [] {
            basic.append(
                Basic(
                    readWrite: selector[member: "ReadWriteType"]?.stringValue ?? "All",
                    management: selector[member: "IncludeManagementEvents"]?.boolValue ?? true,
                    excludedSources: Set(
                        (selector[member: "ExcludeManagementEventSources"]?.listValue ?? []).compactMap(\.stringValue)),
                    objectPrefixes: (selector[member: "DataResources"]?.listValue ?? [])
                        .filter { $0[member: "Type"]?.stringValue == "AWS::S3::Object" }
                        .flatMap { ($0[member: "Values"]?.listValue ?? []).compactMap(\.stringValue) }))
        }
        for selector in trail.advancedEventSelectors?.listValue ?? [] {
            advanced.append(selector[member: "FieldSelectors"]?.listValue ?? [])
        }
    }

    func matches(_ entry: JournalEntry, trail: TrailRecord) -> Bool {
        if !trail.includeGlobalServiceEvents && entry.eventSource == "iam.amazonaws.com" { return false }
        if trail.recursiveLogging == false && Self.isOwnDelivery(entry, trail: trail) { return false }
        if !advanced.isEmpty { return advanced.contains { fields in fields.allSatisfy { Self.field($0, entry) } } }
        if basic.isEmpty { return entry.management }
        return basic.contains { selector in
            switch selector.readWrite {
            case "ReadOnly": guard entry.readOnly else { return false }
            case "WriteOnly": guard !entry.readOnly else { return false }
            default: break
            }
            if entry.management {
                return selector.management && !selector.excludedSources.contains(entry.eventSource)
            }
            let arn = entry.resourceArn ?? ""
            // A bucket-level data event (ListObjects) is selected by its bucket's `bucket/` value.
            let resource = Partition.afterPartition(arn) ?? ""
            let bucketLevel = resource.hasPrefix("s3:::") && !resource.dropFirst("s3:::".count).contains("/")
            return selector.objectPrefixes.contains { prefix in
                // `arn:PARTITION:s3` and `arn:PARTITION:s3:::` select every object.
                let everyObject = Partition.afterPartition(prefix).map { $0 == "s3" || $0 == "s3:::" } ?? false
                return everyObject || arn.hasPrefix(prefix) || (bucketLevel && prefix == arn + "/")
            }
        }
    }

    static func field(_ selector: ShapeValue, _ entry: JournalEntry) -> Bool {
        let value: String
        switch selector[member: "Field"]?.stringValue {
        case "eventCategory": value = entry.management ? "Management" : "Data"
        // Data events journaled before their type was kept were S3's.
        case "resources.type": value = entry.management ? "" : entry.resourceType ?? "AWS::S3::Object"
        case "resources.ARN": value = entry.resourceArn ?? ""
        case "readOnly": value = entry.readOnly ? "true" : "false"
        case "eventSource": value = entry.eventSource
        case "eventName": value = entry.eventName
        default: return true
        }
        func strings(_ member: String) -> [String]? { selector[member: member]?.listValue?.compactMap(\.stringValue) }
        if let equals = strings("Equals"), !equals.contains(value) { return false }
        if let notEquals = strings("NotEquals"), notEquals.contains(value) { return false }
        if let prefixes = strings("StartsWith"), !prefixes.contains(where: { value.hasPrefix($0) }) { return false }
        if let prefixes = strings("NotStartsWith"), prefixes.contains(where: { value.hasPrefix($0) }) { return false }
        return true
    }

    /// A data event CloudTrail's own delivery of a file into `trail`'s bucket made (what
    /// RecursiveLogging false leaves out).
    static func isOwnDelivery(_ entry: JournalEntry, trail: TrailRecord) -> Bool {
        entry.eventSource == "s3.amazonaws.com" && entry.eventName == "PutObject"
            && (entry.resourceArn.flatMap(Partition.afterPartition)?.hasPrefix("s3:::\(trail.bucket)/") ?? false)
            && entry.record.contains(#""invokedBy":"\#(TrailDelivery.service)""#)
    }
}
