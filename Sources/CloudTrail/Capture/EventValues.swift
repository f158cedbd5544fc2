import AWSModels
import AWSWire
import Foundation

/// Renders request parameters and response elements as CloudTrail does: structure members
/// keyed by their model name with the first letter lower-cased (`AZMode` → `aZMode`), values
/// JSON-typed per the model, timestamps as `Dec 1, 2014 10:16:06 PM`, secrets hidden.
struct EventValues {
    let model: ServiceModel

    func requestParameters(_ input: ShapeValue?, shape: String?) -> String {
        guard let input, let shape, case .structure(var fields) = input else { return "null" }
        // Uploaded bytes are never part of an event.
        if let payload = model.shape(shape).payload, case .blob? = fields[payload] { fields[payload] = nil }
        guard !fields.isEmpty else { return "null" }
        var converted = convert(.structure(fields), shape: shape)
        // S3's records name the bucket `bucketName`.
        if model.metadata.endpointPrefix == "s3", case .structure(var top) = converted,
            let bucket = top.removeValue(forKey: "bucket")
        {
            top["bucketName"] = bucket
            converted = .structure(top)
        }
        return write(converted)
    }

    func responseElements(_ output: ShapeValue?, shape: String?) -> String {
        guard var output, var shape else { return "null" }
        if let payload = model.shape(shape).payload, case .structure(var fields) = output, case .blob? = fields[payload]
        {
            fields[payload] = nil
            output = .structure(fields)
        }
        // ElastiCache records the result's one structure member itself (the seed's CacheCluster).
        if model.metadata.endpointPrefix == "elasticache", case .structure(let fields) = output, fields.count == 1,
            let only = model.shape(shape).members.first(where: { fields[$0.name] != nil }),
            model.shape(only.shape).kind == .structure, let inner = fields[only.name]
        {
            output = inner
            shape = only.shape
        }
        return write(convert(output, shape: shape))
    }

    private func write(_ value: ShapeValue) -> String {
        JSONWriter.write(value, timestamps: .custom(Self.eventTimestamp))
    }

    /// `Dec 1, 2014 10:16:06 PM`, the form the seed's records use inside parameters.
    @Sendable static func eventTimestamp(_ date: Date) -> String {
        let t = UTCFields(date)
        let hour12 = t.hour % 12 == 0 ? 12 : t.hour % 12
        let minute = t.minute < 10 ? "0\(t.minute)" : "\(t.minute)"
        let second = t.second < 10 ? "0\(t.second)" : "\(t.second)"
        return
            "\(Timestamps.monthAbbreviation(t.month)) \(t.day), \(t.year) \(hour12):\(minute):\(second) \(t.hour < 12 ? "AM" : "PM")"
    }

    func convert(_ value: ShapeValue, shape name: String) -> ShapeValue {
        let shape = model.shape(name)
        switch value {
        case .structure(let fields):
            var out: [String: ShapeValue] = [:]
            for (key, field) in fields {
                let member = shape.member(key)
                let hidden =
                    member.map {
                        Redaction.hides($0.name, shape: model.shape($0.shape), service: model.metadata.endpointPrefix)
                    } ?? false
                out[Self.camel(key)] =
                    hidden ? .string(Redaction.hidden) : convert(field, shape: member?.shape ?? "")
            }
            return .structure(out)
        case .list(let items):
            // The seed's records render an empty list as `{}` (`"cacheNodeIdsToReboot":{}`).
            if items.isEmpty { return .structure([:]) }
            return .list(items.map { convert($0, shape: shape.element?.shape ?? "") })
        case .map(let entries):
            return .map(entries.mapValues { convert($0, shape: shape.value?.shape ?? "") })
        default:
            return shape.sensitive ? .string(Redaction.hidden) : value
        }
    }

    static func camel(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }
}
