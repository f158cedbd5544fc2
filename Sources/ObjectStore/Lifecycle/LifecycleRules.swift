import AWSWire
import Foundation

/// Lifecycle rules: validation of a configuration and the actions due for an object.
package struct LifecycleRule: Sendable, Equatable {
    package var id: String
    package var enabled: Bool
    package var prefix: String
    package var tags: [String: String]
    package var sizeGreaterThan: Int?
    package var sizeLessThan: Int?
    package var expirationDays: Int?
    package var expirationDate: Date?
    package var transitions: [(days: Int?, date: Date?, storageClass: String)]
    package var abortIncompleteAfterDays: Int?
    /// Versioned buckets: noncurrent versions expire this many days after they stop being current.
    package var noncurrentExpirationDays: Int?
    /// Versioned buckets: a delete marker left as a key's only version is removed.
    package var expiredObjectDeleteMarker = false

    package static func == (a: LifecycleRule, b: LifecycleRule) -> Bool { a.id == b.id }

    static let storageClasses: Set<String> = [
        "GLACIER", "DEEP_ARCHIVE", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR",
    ]

    /// Parses and validates `LifecycleConfiguration.Rules`, with S3's error codes.
    package static func parse(_ rules: ShapeValue?) throws(AWSError) -> [LifecycleRule] {
        let items = rules?.listValue ?? []
        guard !items.isEmpty, items.count <= 1000 else {
            throw AWSError(
                code: "MalformedXML",
                message: "The XML you provided was not well-formed or did not validate against our published schema")
        }
        var parsed: [LifecycleRule] = []
        for (index, item) in items.enumerated() {
            let id = item[member: "ID"]?.stringValue ?? "rule-\(index + 1)"
            if parsed.contains(where: { $0.id == id }) {
                throw AWSError(
                    code: "InvalidArgument", message: "Rule ID must be unique. Found same ID for more than one rule")
            }
            let filter = item[member: "Filter"]
            let and = filter?[member: "And"]
            var tags: [String: String] = [:]
            for tag in (and?[member: "Tags"]?.listValue ?? []) + (filter?[member: "Tag"].map { [$0] } ?? []) {
                if let key = tag[member: "Key"]?.stringValue { tags[key] = tag[member: "Value"]?.stringValue ?? "" }
            }
            func int(_ value: ShapeValue?) -> Int? { value?.intValue.map { Int($0) } }
            func date(_ value: ShapeValue?) -> Date? {
                if case .timestamp(let date)? = value { return date }
                return nil
            }
            var rule = LifecycleRule(
                id: id, enabled: item[member: "Status"]?.stringValue == "Enabled",
                prefix: and?[member: "Prefix"]?.stringValue ?? filter?[member: "Prefix"]?.stringValue
                    ?? item[member: "Prefix"]?.stringValue ?? "",
                tags: tags,
                sizeGreaterThan: int(and?[member: "ObjectSizeGreaterThan"] ?? filter?[member: "ObjectSizeGreaterThan"]),
                sizeLessThan: int(and?[member: "ObjectSizeLessThan"] ?? filter?[member: "ObjectSizeLessThan"]),
                expirationDays: int(item[member: "Expiration"]?[member: "Days"]),
                expirationDate: date(item[member: "Expiration"]?[member: "Date"]), transitions: [],
                abortIncompleteAfterDays: int(
                    item[member: "AbortIncompleteMultipartUpload"]?[member: "DaysAfterInitiation"]))
            rule.noncurrentExpirationDays = int(item[member: "NoncurrentVersionExpiration"]?[member: "NoncurrentDays"])
            rule.expiredObjectDeleteMarker =
                item[member: "Expiration"]?[member: "ExpiredObjectDeleteMarker"]?.boolValue == true
            if let days = rule.noncurrentExpirationDays, days <= 0 {
                throw AWSError(
                    code: "InvalidArgument",
                    message: "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
            }
            for transition in item[member: "Transitions"]?.listValue ?? [] {
                guard let storageClass = transition[member: "StorageClass"]?.stringValue,
                    storageClasses.contains(storageClass)
                else { throw AWSError(code: "InvalidArgument", message: "Invalid storage class in a transition") }
                let days = int(transition[member: "Days"])
                if let days, ["STANDARD_IA", "ONEZONE_IA"].contains(storageClass), days < 30 {
                    throw AWSError(
                        code: "InvalidArgument",
                        message:
                            "'Days' in Transition action must be greater than or equal to 30 for storageClass '\(storageClass)'"
                    )
                }
                rule.transitions.append((days, date(transition[member: "Date"]), storageClass))
            }
            if let days = rule.expirationDays, days <= 0 {
                throw AWSError(
                    code: "InvalidArgument", message: "'Days' for Expiration action must be a positive integer")
            }
            if rule.expirationDays == nil && rule.expirationDate == nil && rule.transitions.isEmpty
                && rule.abortIncompleteAfterDays == nil && rule.noncurrentExpirationDays == nil
                && !rule.expiredObjectDeleteMarker
            {
                throw AWSError(code: "InvalidRequest", message: "At least one action needs to be specified in a rule")
            }
            parsed.append(rule)
        }
        return parsed
    }

    /// Objects expire or transition at the midnight UTC after `days` have passed, as S3 rounds.
    static func due(_ start: Date, days: Int) -> Date {
        let seconds = start.timeIntervalSince1970 + Double(days) * 86_400
        return Date(timeIntervalSince1970: (seconds / 86_400).rounded(.up) * 86_400)
    }

    func applies(to object: ObjectRecord) -> Bool {
        guard enabled, object.key.hasPrefix(prefix) else { return false }
        if let min = sizeGreaterThan, object.blob.size <= min { return false }
        if let max = sizeLessThan, object.blob.size >= max { return false }
        let objectTags = object.tags ?? [:]
        return tags.allSatisfy { objectTags[$0.key] == $0.value }
    }

    /// Whether a noncurrent version, noncurrent since `since`, has expired by `now`.
    func expiresNoncurrent(_ object: ObjectRecord, since: Date, now: Date) -> Bool {
        guard let days = noncurrentExpirationDays, applies(to: object) else { return false }
        return Self.due(since, days: days) <= now
    }

    /// What this rule does to `object` by `now`: expire it, or move it to a storage class.
    package enum Action: Equatable {
        case expire
        case transition(String)
    }

    func action(for object: ObjectRecord, now: Date) -> Action? {
        guard applies(to: object) else { return nil }
        if let days = expirationDays, Self.due(object.lastModified, days: days) <= now { return .expire }
        if let date = expirationDate, date <= now { return .expire }
        let reached = transitions.filter { transition in
            if let days = transition.days { return Self.due(object.lastModified, days: days) <= now }
            return transition.date.map { $0 <= now } ?? false
        }
        let order = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
        guard
            let deepest = reached.map(\.storageClass).max(by: {
                (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0)
            }),
            deepest != object.storageClass,
            (order.firstIndex(of: deepest) ?? 0) > (order.firstIndex(of: object.storageClass) ?? -1)
        else { return nil }
        return .transition(deepest)
    }
}
