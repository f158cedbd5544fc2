/// A parsed XML element: name (without namespace prefix), attributes, text and children.
/// Enough XML for AWS request bodies (no DTDs, no processing beyond the declaration).
package struct XMLNode: Sendable, Equatable {
    package var name: String
    package var attributes: [String: String]
    package var text: String
    package var children: [XMLNode]

    package func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    package func all(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// Parses one document; throws ``XMLParseError`` for anything malformed.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(XMLParseError) -> XMLNode {
        var parser = MiniXMLParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.document()
    }
}

package struct XMLParseError: Error, Sendable, Equatable {
    package var offset: Int
    package var reason: String
}

private struct MiniXMLParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String) -> XMLParseError { XMLParseError(offset: index, reason: reason) }

    func starts(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        return index + chars.count <= bytes.count && Array(bytes[index..<index + chars.count]) == chars
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// Skips `<?…?>`, `<!--…-->` and `<!DOCTYPE…>` between elements.
    mutating func skipMisc() throws(XMLParseError) {
        while true {
            skipWhitespace()
            if starts("<?") {
                try skip(to: "?>")
            } else if starts("<!--") {
                try skip(to: "-->")
            } else if starts("<!DOCTYPE") {
                throw fail("DOCTYPE is not allowed")
            } else {
                return
            }
        }
    }

    mutating func skip(to end: String) throws(XMLParseError) {
        while index < bytes.count, !starts(end) { index += 1 }
        guard index < bytes.count else { throw fail("unterminated \(end)") }
        index += end.utf8.count
    }

    mutating func document() throws(XMLParseError) -> XMLNode {
        try skipMisc()
        let root = try element(depth: 0)
        try skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    mutating func name() throws(XMLParseError) -> String {
        let start = index
        while index < bytes.count,
            !([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "=")]
                .contains(bytes[index]))
        {
            index += 1
        }
        guard index > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    static func local(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    mutating func element(depth: Int) throws(XMLParseError) -> XMLNode {
        guard depth <= maxDepth else { throw fail("nested too deeply") }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("expected an element") }
        index += 1
        let tag = try name()
        var node = XMLNode(name: Self.local(tag), attributes: [:], text: "", children: [])
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated tag") }
            if starts("/>") {
                index += 2
                return node
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let attribute = try name()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("expected '='") }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fail("expected a quoted value")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw fail("unterminated attribute") }
            node.attributes[attribute] = try Self.unescape(String(decoding: bytes[start..<index], as: UTF8.self))
            index += 1
        }
        var text = ""
        while true {
            guard index < bytes.count else { throw fail("unterminated element \(tag)") }
            if starts("</") {
                index += 2
                let closing = try name()
                guard closing == tag else { throw fail("mismatched </\(closing)>") }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("expected '>'") }
                index += 1
                node.text = node.children.isEmpty ? text : text.trimmingWhitespace()
                return node
            }
            if starts("<!--") {
                try skip(to: "-->")
            } else if starts("<![CDATA[") {
                index += 9
                let start = index
                try skip(to: "]]>")
                text += String(decoding: bytes[start..<index - 3], as: UTF8.self)
            } else if bytes[index] == UInt8(ascii: "<") {
                node.children.append(try element(depth: depth + 1))
            } else {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                text += try Self.unescape(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }
    }

    static func unescape(_ text: String) throws(XMLParseError) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else {
                throw XMLParseError(offset: 0, reason: "bad entity")
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let hex = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                guard entity.hasPrefix("#"), let code = UInt32(entity.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                    let scalar = Unicode.Scalar(code)
                else { throw XMLParseError(offset: 0, reason: "unknown entity &\(entity);") }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
