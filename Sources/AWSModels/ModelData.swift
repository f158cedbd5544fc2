import Foundation

/// Service models as the generator writes them: botocore's model, trimmed to what the wire
/// needs, as JSON text in a string literal (data compiles in seconds at -O, where the same model
/// as initializer calls took minutes), decoded once on first use.
extension ServiceModel {
    /// Decodes a generated model. The text is generated and checked by the unit tests, so a
    /// failure here is a broken generator, not an input error.
    init(generated text: String, name: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let model = ModelData.model(object)
        else { preconditionFailure("the generated model of \(name) does not decode: regenerate it") }
        self = model
    }
}

/// Reads the generator's JSON (see `scripts/generate_models.py`).
enum ModelData {
    static func model(_ object: [String: Any]) -> ServiceModel? {
        guard let meta = object["metadata"] as? [String: Any], let endpointPrefix = meta["endpointPrefix"] as? String,
            let signingName = meta["signingName"] as? String, let apiVersion = meta["apiVersion"] as? String,
            let wire = (meta["protocol"] as? String).flatMap(Self.protocols.get),
            let operations = object["operations"] as? [String: [String: Any]],
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
        return ServiceModel(
            metadata: ServiceMetadata(
                endpointPrefix: endpointPrefix, signingName: signingName, apiVersion: apiVersion, protocol: wire,
                xmlNamespace: meta["xmlNamespace"] as? String, targetPrefix: meta["targetPrefix"] as? String,
                globalEndpoint: meta["globalEndpoint"] as? Bool ?? false),
            operations: decodedOperations, shapes: decodedShapes)
    }

    static let protocols: [String: WireProtocol] = [
        "query": .query, "json": .json, "rest-xml": .restXML, "rest-json": .restJSON,
    ]

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
