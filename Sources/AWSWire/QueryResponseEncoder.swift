import AWSModels
import Foundation

/// Encodes an operation's output as an AWS Query XML response:
/// `<XResponse xmlns="…"><XResult>…</XResult><ResponseMetadata><RequestId>…`.
public struct QueryResponseEncoder: Sendable {
    public let model: ServiceModel

    public init(model: ServiceModel) {
        self.model = model
    }

    public func encode(_ output: ShapeValue?, operation: OperationModel, requestID: String) -> String {
        var xml = XMLWriter()
        xml.open("\(operation.name)Response", namespace: model.metadata.xmlNamespace)
        if let outputShape = operation.output, let output {
            let wrapper = operation.resultWrapper ?? "\(operation.name)Result"
            xml.open(wrapper)
            writeMembers(output, shape: model.shape(outputShape), into: &xml)
            xml.close(wrapper)
        }
        xml.open("ResponseMetadata")
        xml.element("RequestId", requestID)
        xml.close("ResponseMetadata")
        xml.close("\(operation.name)Response")
        return xml.text
    }

    private func writeMembers(_ value: ShapeValue, shape: Shape, into xml: inout XMLWriter) {
        guard case .structure(let fields) = value else { return }
        for member in shape.members {
            guard let field = fields[member.name] else { continue }
            let target = model.shape(member.shape)
            let name = member.locationName ?? target.locationName ?? member.name
            write(field, member: member, shape: target, name: name, into: &xml)
        }
    }

    private func write(_ value: ShapeValue, member: Member, shape: Shape, name: String, into xml: inout XMLWriter) {
        switch (shape.kind, value) {
        case (.structure, _):
            xml.open(name)
            writeMembers(value, shape: shape, into: &xml)
            xml.close(name)
        case (.list, .list(let items)):
            guard let element = shape.element else { return }
            let elementShape = model.shape(element.shape)
            if member.flattened || shape.flattened {
                for item in items {
                    write(item, member: element, shape: elementShape, name: name, into: &xml)
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
            guard let key = shape.key, let valueMember = shape.value else { return }
            let valueShape = model.shape(valueMember.shape)
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
            xml.element(name, Self.scalarText(value, format: member.timestampFormat ?? shape.timestampFormat))
        }
    }

    /// The text form of a scalar in XML: booleans `true`/`false`, ISO 8601 timestamps.
    static func scalarText(_ value: ShapeValue, format: String?) -> String {
        switch value {
        case .string(let s): s
        case .integer(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .boolean(let b): b ? "true" : "false"
        case .timestamp(let date):
            format == "unixTimestamp"
                ? String(Int64(date.timeIntervalSince1970)) : Timestamps.iso8601(date, fractional: true)
        case .blob(let bytes): Data(bytes).base64EncodedString()
        case .structure, .list, .map: ""
        }
    }
}
