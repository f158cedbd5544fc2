import AWSModels
import Foundation

/// Decodes an AWS JSON 1.1 request body into a value of the operation's input shape.
package struct JSONInputDecoder: Sendable {
    package static let maxDepth = 64

    package let model: ServiceModel

    package init(model: ServiceModel) {
        self.model = model
    }

    package func decode(_ body: [UInt8], shape name: String) throws(AWSError) -> ShapeValue {
        let text = body.isEmpty ? [UInt8]("{}".utf8) : body
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(text, maxDepth: Self.maxDepth)
        } catch {
            throw serialization("The request body is not valid JSON (at byte \(error.offset): \(error.reason)).")
        }
        return try decode(parsed, shape: name)
    }

    /// Converts an already parsed body (JSON, or CBOR read as JSON values) to the input shape.
    package func decode(_ parsed: JSONValue, shape name: String) throws(AWSError) -> ShapeValue {
        guard case .object = parsed else { throw serialization("The request body must be an object.") }
        let value = try convert(parsed, shape: model.shape(name), path: "")
        try InputValidator(model: model).validate(value, shape: name)
        return value
    }

    private func serialization(_ message: String) -> AWSError {
        AWSError(code: "SerializationException", message: message)
    }

    private func convert(_ json: JSONValue, shape: Shape, path: String) throws(AWSError) -> ShapeValue {
        func mismatch(_ expected: String) -> AWSError {
            serialization("Unexpected value type for \(path.isEmpty ? "the request" : path): expected \(expected).")
        }
        switch (shape.kind, json) {
        case (.structure, .object(let object)):
            var fields = ShapeFields()
            for member in shape.members {
                guard let raw = object[member.locationName ?? member.name], raw != .null else { continue }
                let memberPath = path.isEmpty ? member.name : "\(path).\(member.name)"
                fields.append(member.name, try convert(raw, shape: model.shape(member.shape), path: memberPath))
            }
            return .structure(fields)
        case (.list, .array(let array)):
            guard let element = shape.element else { return .list([]) }
            var items: [ShapeValue] = []
            for (i, raw) in array.enumerated() where raw != .null {
                items.append(try convert(raw, shape: model.shape(element.shape), path: "\(path)[\(i)]"))
            }
            return .list(items)
        case (.map, .object(let object)):
            guard let valueMember = shape.value else { return .map([:]) }
            var entries: [String: ShapeValue] = [:]
            for (key, raw) in object where raw != .null {
                entries[key] = try convert(raw, shape: model.shape(valueMember.shape), path: "\(path).\(key)")
            }
            return .map(entries)
        case (.string, .string(let text)):
            return .string(text)
        case (.boolean, .bool(let flag)):
            return .boolean(flag)
        case (.integer, .number(let text)), (.long, .number(let text)):
            guard let number = Int64(text) else { throw mismatch("an integer") }
            return .integer(number)
        case (.double, .number(let text)), (.float, .number(let text)):
            return .double(Double(text) ?? 0)
        case (.timestamp, .number(let text)):
            return .timestamp(Date(timeIntervalSince1970: Double(text) ?? 0))
        case (.timestamp, .string(let text)):
            guard let date = Timestamps.parse(text) else { throw mismatch("a timestamp") }
            return .timestamp(date)
        case (.blob, .string(let text)):
            guard let data = Data(base64Encoded: text) else { throw mismatch("base64-encoded data") }
            return .blob([UInt8](data))
        case (.structure, _), (.map, _): throw mismatch("an object")
        case (.list, _): throw mismatch("an array")
        case (.string, _), (.blob, _): throw mismatch("a string")
        case (.boolean, _): throw mismatch("a boolean")
        case (.integer, _), (.long, _): throw mismatch("an integer")
        case (.double, _), (.float, _): throw mismatch("a number")
        case (.timestamp, _): throw mismatch("a timestamp")
        }
    }
}
