import AWSModels
import AWSWire
import Foundation

/// Renders request parameters and response elements as CloudTrail does: structure members
/// keyed by their model name with the first letter lower-cased (`AZMode` → `aZMode`), values
/// JSON-typed per the model, timestamps as `Dec 1, 2014 10:16:06 PM`, secrets hidden.
struct EventValues {
    let model: ServiceModel

    func requestParameters(_ input: ShapeValue?, shape: String?) -> String {
        guard let input, let name = shape, case .structure(var fields) = input else { return "null" }
        // Looked up once (a lookup hashes the name: ~800 instructions, callgrind).
        let shape = model.shape(name)
        // Uploaded bytes are never part of an event.
        if let payload = shape.payload, case .blob? = fields[payload] { fields[payload] = nil }
        guard !fields.isEmpty else { return "null" }
        var out: [UInt8] = []
        out.reserveCapacity(512)
        // S3's records name the bucket `bucketName`.
        let rename: [String: String] = model.metadata.endpointPrefix == "s3" ? ["bucket": "bucketName"] : [:]
        render(.structure(fields), shape: shape, to: &out, renamingTopLevel: rename)
        return String(decoding: out, as: UTF8.self)
    }

    func responseElements(_ output: ShapeValue?, shape: String?) -> String {
        responseElementBytes(output, shape: shape).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// The response elements as UTF-8; nil where the record has `null`.
    func responseElementBytes(_ output: ShapeValue?, shape: String?) -> [UInt8]? {
        guard var output, let name = shape else { return nil }
        // An empty answer (StartLogging, DeleteTrail…) is recorded as null, as CloudTrail does.
        if case .structure(let fields) = output, fields.isEmpty { return nil }
        // Each shape looked up by name once (a lookup hashes the name).
        var shape = model.shape(name)
        if let payload = shape.payload, case .structure(var fields) = output, case .blob? = fields[payload] {
            fields[payload] = nil
            output = .structure(fields)
        }
        // ElastiCache records the result's one structure member itself (the seed's CacheCluster).
        if model.metadata.endpointPrefix == "elasticache", case .structure(let fields) = output, fields.count == 1,
            let only = shape.members.first(where: { fields[$0.name] != nil }), let inner = fields[only.name]
        {
            let innerShape = model.shape(only.shape)
            if innerShape.kind == .structure {
                output = inner
                shape = innerShape
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        render(output, shape: shape, to: &out, omittingSecrets: true)
        return out
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

    /// Writes `value` as JSON the way records show it: structure members camel-cased and in
    /// key order, secrets hidden, empty lists as `{}`, timestamps in the record's form — in one
    /// pass, without building a converted copy first, as UTF-8 bytes (a `String` append cost
    /// ~400 instructions, some fifty a create's answer; callgrind).
    /// - Parameter omittingSecrets: leave secret members out instead of writing the placeholder:
    ///   AWS's response elements have no `secretAccessKey` at all (CreateAccessKey, AssumeRole),
    ///   while request parameters show `HIDDEN_DUE_TO_SECURITY_REASONS` where a secret was sent.
    func render(
        _ value: ShapeValue, shape: Shape, to out: inout [UInt8], renamingTopLevel rename: [String: String] = [:],
        omittingSecrets: Bool = false
    ) {
        switch value {
        case .encoded(let encoded) where rename.isEmpty:
            if let kept = encoded.recordJSON(shape: shape, omittingSecrets: omittingSecrets) {
                out.append(contentsOf: kept)
            } else {
                let start = out.count
                render(encoded.value, shape: shape, to: &out, omittingSecrets: omittingSecrets)
                encoded.keepRecordJSON(Array(out[start...]), shape: shape, omittingSecrets: omittingSecrets)
            }
        case .encoded(let encoded):
            render(encoded.value, shape: shape, to: &out, renamingTopLevel: rename, omittingSecrets: omittingSecrets)
        case .structure(let fields):
            if rename.isEmpty,
                renderPlanned(
                    fields, RecordPlan.plan(of: shape, in: model), to: &out, omittingSecrets: omittingSecrets)
            {
                return
            }
            let keyed = fields.map { key, field in
                let camel = Self.camel(key)
                return (key: rename[camel] ?? camel, field: field, member: shape.member(key))
            }
            out.append(UInt8(ascii: "{"))
            var first = true
            for entry in keyed.sorted(by: { $0.key < $1.key }) {
                let secret = entry.member.map { Redaction.hides($0, shape: model.shape($0.shape)) } ?? false
                if secret && omittingSecrets { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.appendQuoted(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if secret {
                    JSONWriter.appendQuoted(Redaction.hidden, to: &out)
                } else {
                    render(
                        entry.field, shape: model.shape(entry.member?.shape ?? ""), to: &out,
                        omittingSecrets: omittingSecrets)
                }
            }
            out.append(UInt8(ascii: "}"))
        case .list(let items):
            // The seed's records render an empty list as `{}` (`"cacheNodeIdsToReboot":{}`).
            if items.isEmpty {
                out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                render(
                    item, shape: shape.targets(in: model).element?.shape ?? model.shape(""), to: &out,
                    omittingSecrets: omittingSecrets)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let entries):
            out.append(UInt8(ascii: "{"))
            for (index, entry) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendQuoted(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                render(
                    entry.value, shape: shape.targets(in: model).value?.shape ?? model.shape(""), to: &out,
                    omittingSecrets: omittingSecrets)
            }
            out.append(UInt8(ascii: "}"))
        default:
            if shape.sensitive {
                JSONWriter.appendQuoted(Redaction.hidden, to: &out)
            } else {
                JSONWriter.append(value, to: &out, timestamps: .custom(Self.eventTimestamp))
            }
        }
    }

    /// A structure whose every field is a member, written in the plan's (camel-cased key)
    /// order; false, with nothing written, when some field is not a member of the shape.
    private func renderPlanned(
        _ fields: ShapeFields, _ plan: RecordPlan.Plan, to out: inout [UInt8], omittingSecrets: Bool
    ) -> Bool {
        let present = plan.positions.ordered(fields)
        guard present.count == fields.count else { return false }
        out.append(UInt8(ascii: "{"))
        var first = true
        for (position, field) in present {
            let member = plan.members[position]
            if member.secret && omittingSecrets { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: member.key)
            if member.secret {
                JSONWriter.appendQuoted(Redaction.hidden, to: &out)
            } else {
                render(fields.value(at: field), shape: member.field.shape, to: &out, omittingSecrets: omittingSecrets)
            }
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    static func camel(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }
}
