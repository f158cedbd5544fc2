import AWSModels
import Foundation

/// Decodes REST-XML inputs (URI labels, query string, headers, XML or blob payload) and
/// encodes outputs (headers, status, XML or blob payload) from the model's location traits.
package struct RestXMLCodec: Sendable {
    package let model: ServiceModel
    let style: ValidationStyle

    package init(model: ServiceModel) {
        self.model = model
        self.style = .of(model)
    }

    /// The service's XML namespace for response roots.
    package var namespace: String { "http://s3.amazonaws.com/doc/\(model.metadata.apiVersion)/" }

    package func decode(_ request: RestRequest, operation: OperationModel) throws(AWSError) -> ShapeValue {
        guard let inputName = operation.input else { return .structure([:]) }
        let shape = model.shape(inputName)
        let (bucket, key) = request.bucketAndKey
        var fields = ShapeFields()
        let query = QueryDecoder(model: model)
        for member in shape.members {
            let target = model.shape(member.shape)
            let name = member.locationName ?? member.name
            switch member.location {
            case "uri":
                let value = name.hasPrefix("Key") ? key : (name == "Bucket" ? bucket : nil)
                if let value { fields[member.name] = .string(value) }
            case "querystring":
                if let text = request.queryValue(name) {
                    fields[member.name] = try query.scalar(text, target, name: name)
                }
            case "header":
                guard let text = request.header(name) else { continue }
                if target.kind == .timestamp {
                    guard let date = Timestamps.parseHTTPDate(text) ?? Timestamps.parse(text) else {
                        throw style.badType(name, text, expected: "an HTTP date")
                    }
                    fields[member.name] = .timestamp(date)
                } else if target.kind == .list {
                    fields[member.name] = .list(
                        text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
                } else {
                    fields[member.name] = try query.scalar(text, target, name: name)
                }
            case "headers":
                var map: [String: ShapeValue] = [:]
                for header in request.headers where header.name.lowercased().hasPrefix(name.lowercased()) {
                    map[String(header.name.dropFirst(name.count)).lowercased()] = .string(header.value)
                }
                if !map.isEmpty { fields[member.name] = .map(map) }
            default:
                guard shape.payload == member.name else { continue }
                if target.kind == .blob || target.kind == .string {
                    fields[member.name] =
                        target.kind == .blob
                        ? .blob(request.body) : .string(String(decoding: request.body, as: UTF8.self))
                } else if !request.body.isEmpty {
                    let root: XMLNode
                    do {
                        root = try XMLNode.parse(request.body)
                    } catch {
                        throw AWSError(
                            code: "MalformedXML",
                            message:
                                "The XML you provided was not well-formed or did not validate against our published schema"
                        )
                    }
                    fields[member.name] = try value(of: root, shape: target)
                }
            }
        }
        let input = ShapeValue.structure(fields)
        try InputValidator(model: model).validate(input, shape: inputName)
        return input
    }

    /// Reads an XML element as a value of `shape`.
    func value(of node: XMLNode, shape: Shape) throws(AWSError) -> ShapeValue {
        switch shape.kind {
        case .structure:
            var fields = ShapeFields()
            for member in shape.members {
                let target = model.shape(member.shape)
                let name = member.locationName ?? target.locationName ?? member.name
                if target.kind == .list, let element = target.element {
                    let items =
                        member.flattened || target.flattened
                        ? node.all(name) : (node.child(name)?.all(element.locationName ?? "member") ?? [])
                    guard node.child(name) != nil else { continue }
                    var values: [ShapeValue] = []
                    for item in items { values.append(try value(of: item, shape: model.shape(element.shape))) }
                    fields[member.name] = .list(values)
                } else if let child = node.child(name) {
                    fields[member.name] = try value(of: child, shape: target)
                }
            }
            return .structure(fields)
        case .list:
            var values: [ShapeValue] = []
            for child in node.children {
                values.append(try value(of: child, shape: model.shape(shape.element?.shape ?? "")))
            }
            return .list(values)
        case .map:
            return .map([:])
        default:
            return try QueryDecoder(model: model).scalar(node.text, shape, name: node.name)
        }
    }

    /// The HTTP response of a successful call.
    package func encode(_ output: ShapeValue?, operation: OperationModel) -> WireResponse {
        var response = WireResponse(status: operation.responseCode, headers: [], body: [])
        guard let outputName = operation.output, let output, case .structure(let fields) = output else {
            return response
        }
        let shape = model.shape(outputName)
        var bodyMembers = false
        for member in shape.members {
            guard let field = fields[member.name] else { continue }
            let name = member.locationName ?? member.name
            switch member.location {
            case "header":
                let text: String
                if case .timestamp(let date) = field {
                    text = Timestamps.httpDate(date)
                } else {
                    text = XMLShapeWriter.scalarText(field, format: nil)
                }
                response.headers.append((name, text))
            case "headers":
                if case .map(let entries) = field {
                    for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
                        response.headers.append((name + key, XMLShapeWriter.scalarText(value, format: nil)))
                    }
                }
            case "statusCode":
                if case .integer(let status) = field { response.status = Int(status) }
            default:
                if shape.payload == member.name {
                    let target = model.shape(member.shape)
                    switch field {
                    case .blob(let bytes): response.body = bytes
                    case .string(let text) where target.kind == .string: response.body = Array(text.utf8)
                    default:
                        var xml = XMLWriter()
                        let root = member.locationName ?? target.locationName ?? member.shape
                        let writer = XMLShapeWriter(model: model)
                        xml.open(
                            root, namespace: member.xmlNamespace ?? target.xmlNamespace ?? namespace,
                            attributes: writer.attributes(field, shape: target))
                        writer.writeMembers(field, shape: target, into: &xml)
                        xml.close(root)
                        response.body = xml.bytes
                    }
                } else {
                    bodyMembers = true
                }
            }
        }
        if bodyMembers {
            var xml = XMLWriter()
            let root = shape.locationName ?? "\(operation.name)Result"
            xml.open(root, namespace: namespace)
            XMLShapeWriter(model: model).writeMembers(output, shape: shape, into: &xml)
            xml.close(root)
            response.body = xml.bytes
        }
        if !response.body.isEmpty && !response.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            response.headers.append(
                (
                    "Content-Type",
                    bodyMembers
                        || shape.payload.map { model.shape(shape.member($0)?.shape ?? "").kind == .structure } == true
                        ? "application/xml" : "binary/octet-stream"
                ))
        }
        return response
    }
}
