import AWSModels
import AWSWire
import Foundation

/// What an S3 call's transport adds to its record: the Host it was sent to, how it was signed,
/// and the bytes it carried. Set by the gateway for S3 calls only.
package struct S3Transfer: Sendable {
    package var host: String
    /// `AuthHeader` or `QueryString` (presigned).
    package var authenticationMethod: String
    package var bytesIn: Int

    package init(host: String, authenticationMethod: String, bytesIn: Int) {
        self.host = host
        self.authenticationMethod = authenticationMethod
        self.bytesIn = bytesIn
    }
}

/// S3's own record format, which SIEM parsers and detections read: requestParameters keep
/// the wire's names (`bucketName`, `Host`, `key`, query names such as `list-type`, subresource
/// keys such as `lifecycle`, the body's XML element names with its `xmlns`), and
/// additionalEventData says how the call was signed and how many bytes moved each way.
struct S3RecordValues {
    let model: ServiceModel

    func requestParameters(_ call: CallContext) -> String {
        guard let operation = call.operation, let inputName = operation.input, case .structure(let fields)? = call.input
        else { return "null" }
        let shape = model.shape(inputName)
        var entries: [String: String] = [:]
        if let bucket = fields["Bucket"]?.stringValue { entries["bucketName"] = JSONWriter.quote(bucket) }
        if let host = call.s3?.host { entries["Host"] = JSONWriter.quote(host) }
        if let key = fields["Key"]?.stringValue { entries["key"] = JSONWriter.quote(key) }
        // Subresource keys of the binding (`?lifecycle`, `?list-type=2`).
        if let query = operation.requestURI.split(separator: "?", maxSplits: 1).dropFirst().first {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                entries[String(parts[0])] = JSONWriter.quote(parts.count > 1 ? String(parts[1]) : "")
            }
        }
        for member in shape.members {
            guard let value = fields[member.name] else { continue }
            switch member.location {
            case "querystring":
                entries[member.locationName ?? member.name] = JSONWriter.quote(Self.text(value))
            case "header" where member.locationName == "x-amz-acl":
                entries["x-amz-acl"] = JSONWriter.quote(Self.text(value))
            default:
                guard member.name == shape.payload else { continue }
                switch value {
                case .blob: continue
                case .string(let text):
                    // A bucket policy is recorded as the document itself.
                    if (try? JSONValue.parse(text)) != nil {
                        entries["bucketPolicy"] = Self.minified(text)
                    }
                default:
                    var out = ""
                    let namespace = member.xmlNamespace ?? model.shape(member.shape).xmlNamespace
                    renderXML(value, shape: member.shape, namespace: namespace, to: &out)
                    entries[member.locationName ?? model.shape(member.shape).locationName ?? member.name] = out
                }
            }
        }
        guard !entries.isEmpty else { return "null" }
        var out = "{"
        for (index, entry) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out += "," }
            JSONWriter.appendQuoted(entry.key, to: &out)
            out += ":" + entry.value
        }
        return out + "}"
    }

    /// `{"SignatureVersion":…,"AuthenticationMethod":…,"bytesTransferredIn":…,…}`.
    static func additionalEventData(_ transfer: S3Transfer, bytesOut: Int, requestID: String) -> String {
        var out = OrderedJSON()
        out.add("SignatureVersion", "SigV4")
        out.add("AuthenticationMethod", transfer.authenticationMethod)
        out.add("bytesTransferredIn", .integer(Int64(transfer.bytesIn)))
        out.add("bytesTransferredOut", .integer(Int64(bytesOut)))
        out.add("x-amz-id-2", .string(requestID))
        return out.text
    }

    /// The body bytes an answer carries (GetObject's object or range).
    static func bytesOut(_ output: ShapeValue?) -> Int {
        if case .blob(let bytes)? = output?[member: "Body"] { return bytes.count }
        return 0
    }

    /// A structure as its XML reads: element names, flattened lists as repeated elements,
    /// wrapped lists under their wrapper, `xmlns` on the outermost element.
    private func renderXML(_ value: ShapeValue, shape name: String, namespace: String?, to out: inout String) {
        let shape = model.shape(name)
        switch value {
        case .structure(let fields):
            var entries: [(String, String)] = []
            for member in shape.members {
                guard let field = fields[member.name] else { continue }
                let target = model.shape(member.shape)
                var rendered = ""
                if case .list(let items) = field, !(member.flattened || target.flattened) {
                    // `<TagSet><Tag>…</Tag></TagSet>`: the wrapper holds the items by their element name.
                    var inner = ""
                    renderList(items, element: target.element?.shape ?? "", to: &inner)
                    rendered = "{" + JSONWriter.quote(target.element?.locationName ?? "member") + ":" + inner + "}"
                } else if case .list(let items) = field {
                    renderList(items, element: target.element?.shape ?? "", to: &rendered)
                } else {
                    renderXML(field, shape: member.shape, namespace: nil, to: &rendered)
                }
                entries.append((member.locationName ?? member.name, rendered))
            }
            if let namespace { entries.append(("xmlns", JSONWriter.quote(namespace))) }
            out += "{"
            for (index, entry) in entries.sorted(by: { $0.0 < $1.0 }).enumerated() {
                if index > 0 { out += "," }
                JSONWriter.appendQuoted(entry.0, to: &out)
                out += ":" + entry.1
            }
            out += "}"
        case .list(let items):
            renderList(items, element: shape.element?.shape ?? "", to: &out)
        case .timestamp(let date):
            JSONWriter.appendQuoted(Timestamps.iso8601(date), to: &out)
        default:
            JSONWriter.append(value, to: &out, timestamps: .epochSeconds)
        }
    }

    private func renderList(_ items: [ShapeValue], element: String, to out: inout String) {
        out += "["
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            renderXML(item, shape: element, namespace: nil, to: &out)
        }
        out += "]"
    }

    static func text(_ value: ShapeValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .boolean(let flag): flag ? "true" : "false"
        case .double(let number): String(number)
        case .timestamp(let date): Timestamps.iso8601(date)
        default: ""
        }
    }

    /// A JSON document without the whitespace between its tokens.
    static func minified(_ text: String) -> String {
        var out = ""
        var inString = false
        var escaped = false
        for character in text {
            if inString {
                out.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
                out.append(character)
            } else if !character.isWhitespace {
                out.append(character)
            }
        }
        return out
    }
}
