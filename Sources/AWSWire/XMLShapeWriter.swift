import AWSModels
import Foundation

/// Writes a value of a model shape as XML the way botocore's XML parsers read it: member
/// names or `locationName`s, lists wrapped in `member` (or the element's name) unless
/// flattened, maps as `entry`/`key`/`value`, `xmlAttribute` members as attributes.
struct XMLShapeWriter {
    let model: ServiceModel

    /// Services whose XML dates have whole seconds (AWS's current IAM and STS examples);
    /// ElastiCache, SNS and S3 write milliseconds.
    static let wholeSeconds: Set<String> = ["iam", "sts"]

    func writeMembers(_ value: ShapeValue, shape: Shape, into xml: inout XMLWriter) {
        guard case .structure(let fields) = value else { return }
        for target in shape.targets(in: model).members
        where !target.member.xmlAttribute && target.member.location == nil {
            guard let field = fields[target.member.name] else { continue }
            write(field, member: target.member, shape: target.shape, name: target.xmlName, into: &xml)
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

    func write(_ value: ShapeValue, member: Member, shape: Shape, name: String, into xml: inout XMLWriter) {
        switch (shape.kind, value) {
        case (.structure, _):
            xml.open(name, attributes: attributes(value, shape: shape))
            writeMembers(value, shape: shape, into: &xml)
            xml.close(name)
        case (.list, .list(let items)):
            guard let element = shape.element, let elementShape = shape.targets(in: model).element else { return }
            if member.flattened || shape.flattened {
                for item in items {
                    write(item, member: element, shape: elementShape, name: element.locationName ?? name, into: &xml)
                }
            } else {
                xml.open(name)
                for item in items {
                    write(
                        item, member: element, shape: elementShape, name: element.locationName ?? "member", into: &xml)
                }
                xml.close(name)
            }
        case (.map, .map(let entries)):
            guard let key = shape.key, let valueMember = shape.value, let valueShape = shape.targets(in: model).value
            else { return }
            let flattened = member.flattened || shape.flattened
            if !flattened { xml.open(name) }
            for (entryKey, entryValue) in entries.sorted(by: { $0.key < $1.key }) {
                xml.open(flattened ? name : "entry")
                xml.element(key.locationName ?? "key", entryKey)
                write(
                    entryValue, member: valueMember, shape: valueShape, name: valueMember.locationName ?? "value",
                    into: &xml)
                xml.close(flattened ? name : "entry")
            }
            if !flattened { xml.close(name) }
        default:
            xml.element(
                name,
                Self.scalarText(
                    value, format: member.timestampFormat ?? shape.timestampFormat,
                    fractional: !Self.wholeSeconds.contains(model.metadata.endpointPrefix)))
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
        }
    }
}
