import AWSModels
import Foundation

/// Writes a value of a model shape as XML the way botocore's XML parsers read it: member
/// names or `locationName`s, lists wrapped in `member` (or the element's name) unless
/// flattened, maps as `entry`/`key`/`value`, `xmlAttribute` members as attributes.
struct XMLShapeWriter {
    let model: ServiceModel
    /// IAM and STS dates (see ``wholeSeconds``), decided once per answer.
    private let wholeSecondDates: Bool

    init(model: ServiceModel) {
        self.model = model
        wholeSecondDates = Self.wholeSeconds.contains(model.metadata.endpointPrefix)
    }

    /// Services whose XML dates have whole seconds (AWS's current IAM and STS examples);
    /// ElastiCache, SNS and S3 write milliseconds.
    static let wholeSeconds: Set<String> = ["iam", "sts"]

    func writeMembers(_ value: ShapeValue, shape: Shape, into xml: inout XMLWriter) {
        writeMembers(value, shape.targets(in: model), into: &xml)
    }

    private func writeMembers(_ value: ShapeValue, _ targets: Shape.Targets, into xml: inout XMLWriter) {
        guard case .structure(let fields) = value, !fields.isEmpty else { return }
        // The value's fields, put in the members' order: one cheap lookup a field the value has
        // (``NameIndex``), none for the members it lacks, and no hashing of member names.
        for (position, field) in targets.memberPositions.ordered(fields) {
            let target = targets.members[position]
            if target.isBodyElement { write(fields.value(at: field), target, name: target.xmlName, into: &xml) }
        }
    }

    /// The attributes of a structure (`xsi:type` on S3's Grantee), with the namespace they need.
    func attributes(_ value: ShapeValue, shape: Shape) -> [(String, String)] {
        guard case .structure(let fields) = value else { return [] }
        var out: [(String, String)] = []
        for member in shape.members where member.xmlAttribute {
            guard let field = fields[member.name] else { continue }
            let name = member.locationName ?? member.name
            if name.hasPrefix("xsi:") { out.append(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")) }
            out.append((name, Self.scalarText(field, format: nil)))
        }
        return out
    }

    func write(_ value: ShapeValue, _ target: Shape.Field, name: String, into xml: inout XMLWriter) {
        let shape = target.shape
        if case .encoded(let encoded) = value {
            if let bytes = encoded.xml(shape: shape, name: name) {
                xml.append(written: bytes)
            } else {
                let start = xml.bytes.count
                write(encoded.value, target, name: name, into: &xml)
                encoded.keep(Array(xml.bytes[start...]), shape: shape, name: name)
            }
            return
        }
        switch (shape.kind, value) {
        case (.structure, _):
            let targets = shape.targets(in: model)
            // Tags ready for the member's own element (no attributes), as for scalars below.
            let own = name == target.xmlName && !targets.hasAttributes
            if own {
                xml.append(written: target.xmlTags.open)
            } else {
                xml.open(name, attributes: targets.hasAttributes ? attributes(value, shape: shape) : [])
            }
            writeMembers(value, targets, into: &xml)
            if own { xml.append(written: target.xmlTags.close) } else { xml.close(name) }
        case (.list, .list(let items)):
            guard let element = shape.targets(in: model).element else { return }
            let elementName = element.member.locationName ?? (target.flattened ? name : "member")
            let own = name == target.xmlName
            if !target.flattened {
                if own { xml.append(written: target.xmlTags.open) } else { xml.open(name) }
            }
            for item in items { write(item, element, name: elementName, into: &xml) }
            if !target.flattened {
                if own { xml.append(written: target.xmlTags.close) } else { xml.close(name) }
            }
        case (.map, .map(let entries)):
            let targets = shape.targets(in: model)
            guard let key = targets.key, let valueField = targets.value else { return }
            let flattened = target.flattened
            let keyName = key.member.locationName ?? "key"
            let valueName = valueField.member.locationName ?? "value"
            if !flattened { xml.open(name) }
            for (entryKey, entryValue) in entries.sorted(by: { $0.key < $1.key }) {
                xml.open(flattened ? name : "entry")
                xml.element(keyName, entryKey)
                write(entryValue, valueField, name: valueName, into: &xml)
                xml.close(flattened ? name : "entry")
            }
            if !flattened { xml.close(name) }
        default:
            let text = Self.scalarText(value, format: target.timestampFormat, fractional: !wholeSecondDates)
            // A member's own element (the usual case: the field's own string, equal at the first
            // check of its storage) has its tags ready.
            if name == target.xmlName {
                xml.element(tags: target.xmlTags, text)
            } else {
                xml.element(name, text)
            }
        }
    }

    /// The text form of a scalar: booleans `true`/`false`, ISO 8601 timestamps (or as the
    /// model's `timestampFormat` says; `fractional` false: whole seconds), base64 blobs.
    static func scalarText(_ value: ShapeValue, format: String?, fractional: Bool = true) -> String {
        switch value {
        case .string(let s): s
        case .integer(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .boolean(let b): b ? "true" : "false"
        case .timestamp(let date):
            switch format {
            case "unixTimestamp": String(Int64(date.timeIntervalSince1970))
            case "rfc822": Timestamps.httpDate(date)
            default: Timestamps.iso8601(date, fractional: fractional)
            }
        case .blob(let bytes): Data(bytes).base64EncodedString()
        case .structure, .list, .map: ""
        case .encoded(let encoded): scalarText(encoded.value, format: format, fractional: fractional)
        }
    }
}
