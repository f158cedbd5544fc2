import Foundation

/// Service models as the generator writes them: the metadata as a literal, the operations and
/// shapes (botocore's model trimmed to what the wire needs) as JSON text in a string literal —
/// data compiles in seconds at -O, where the same tables as initializer calls took minutes —
/// decoded once, on the service's first use.
extension ModelTables {
    /// Decodes a generated model's tables. The text is generated and checked by the unit tests,
    /// so a failure here is a broken generator, not an input error.
    package convenience init(generated text: String, name: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let tables = ModelData.tables(object)
        else { preconditionFailure("the generated model of \(name) does not decode: regenerate it") }
        self.init(operations: tables.operations, shapes: tables.shapes)
    }
}

/// Reads the generator's JSON (see `scripts/generate_models.py`).
enum ModelData {
    static func tables(_ object: [String: Any]) -> (
        operations: [String: OperationModel], shapes: [String: Shape]
    )? {
        guard let operations = object["operations"] as? [String: [String: Any]],
            let shapes = object["shapes"] as? [String: [String: Any]]
        else { return nil }
        var decodedOperations: [String: OperationModel] = [:]
        for (name, spec) in operations {
            guard let method = spec["method"] as? String, let uri = spec["requestURI"] as? String else { return nil }
            decodedOperations[name] = OperationModel(
                name, method: method, requestURI: uri, responseCode: spec["responseCode"] as? Int ?? 200,
                input: spec["input"] as? String, output: spec["output"] as? String,
                resultWrapper: spec["resultWrapper"] as? String, errors: spec["errors"] as? [String] ?? [])
        }
        var decodedShapes: [String: Shape] = [:]
        for (name, spec) in shapes {
            guard let shape = shape(spec) else { return nil }
            decodedShapes[name] = shape
        }
        return (decodedOperations, decodedShapes)
    }

    static let kinds: [String: Shape.Kind] = [
        "structure": .structure, "list": .list, "map": .map, "string": .string, "integer": .integer, "long": .long,
        "boolean": .boolean, "double": .double, "float": .float, "timestamp": .timestamp, "blob": .blob,
    ]

    static func shape(_ spec: [String: Any]) -> Shape? {
        guard let kind = (spec["type"] as? String).flatMap(kinds.get) else { return nil }
        var members: [Member] = []
        for member in spec["members"] as? [[String: Any]] ?? [] {
            guard let decoded = Self.member(member) else { return nil }
            members.append(decoded)
        }
        var error: ErrorTrait?
        if let trait = spec["error"] as? [String: Any] {
            guard let status = trait["httpStatus"] as? Int, let sender = trait["senderFault"] as? Bool else {
                return nil
            }
            error = ErrorTrait(code: trait["code"] as? String, httpStatus: status, senderFault: sender)
        }
        return Shape(
            kind, members: members, required: Set(spec["required"] as? [String] ?? []),
            payload: spec["payload"] as? String, element: (spec["member"] as? [String: Any]).flatMap(Self.member),
            key: (spec["key"] as? [String: Any]).flatMap(Self.member),
            value: (spec["value"] as? [String: Any]).flatMap(Self.member),
            flattened: spec["flattened"] as? Bool ?? false, locationName: spec["locationName"] as? String,
            xmlNamespace: spec["xmlNamespace"] as? String, min: (spec["min"] as? NSNumber)?.doubleValue,
            max: (spec["max"] as? NSNumber)?.doubleValue, enumValues: spec["enum"] as? [String],
            timestampFormat: spec["timestampFormat"] as? String, sensitive: spec["sensitive"] as? Bool ?? false,
            error: error)
    }

    static func member(_ spec: [String: Any]) -> Member? {
        guard let name = spec["name"] as? String, let shape = spec["shape"] as? String else { return nil }
        return Member(
            name, shape, locationName: spec["locationName"] as? String, location: spec["location"] as? String,
            timestampFormat: spec["timestampFormat"] as? String, xmlNamespace: spec["xmlNamespace"] as? String,
            flattened: spec["flattened"] as? Bool ?? false, xmlAttribute: spec["xmlAttribute"] as? Bool ?? false,
            streaming: spec["streaming"] as? Bool ?? false, sensitive: spec["sensitive"] as? Bool ?? false)
    }
}

extension Dictionary {
    fileprivate func get(_ key: Key) -> Value? { self[key] }
}
