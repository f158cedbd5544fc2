/// Builds an XML document as UTF-8 bytes; escapes what it is given.
package struct XMLWriter: Sendable {
    /// The document so far. Bytes, not a String: appending to a String checks its storage and
    /// counts on every piece, a third of a large answer's encoding time.
    package private(set) var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)

    package var text: String { String(decoding: bytes, as: UTF8.self) }

    package init() {
        bytes.reserveCapacity(4096)
    }

    // Appends piece by piece: an interpolated string would be built and then copied again.
    package mutating func open(_ name: String, namespace: String? = nil, attributes: [(String, String)] = []) {
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        if let namespace { attribute("xmlns", namespace) }
        for (key, value) in attributes { attribute(key, value) }
        bytes.append(UInt8(ascii: ">"))
    }

    package mutating func close(_ name: String) {
        bytes += "</".utf8
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
    }

    package mutating func element(_ name: String, _ value: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
        bytes += Self.escape(value).utf8
        bytes += "</".utf8
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
    }

    /// Bytes this writer wrote before (an ``EncodedValue``'s element), copied as they are.
    package mutating func append(written: [UInt8]) {
        bytes += written
    }

    private mutating func attribute(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: " "))
        bytes += key.utf8
        bytes += "=\"".utf8
        bytes += Self.escape(value).utf8
        bytes.append(UInt8(ascii: "\""))
    }

    package static func escape(_ value: String) -> String {
        // Most values need no escape: return them whole instead of copying scalar by scalar.
        func special(_ byte: UInt8) -> Bool {
            byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 || byte == 0x0D
        }
        // Over the string's own bytes where it has them (a loop over a buffer, not the view).
        let needed =
            value.utf8.withContiguousStorageIfAvailable { $0.contains(where: special) }
            ?? value.utf8.contains(where: special)
        if !needed { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#xD;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
