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
        append(name)
        if let namespace { attribute("xmlns", namespace) }
        for (key, value) in attributes { attribute(key, value) }
        bytes.append(UInt8(ascii: ">"))
    }

    package mutating func close(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(UInt8(ascii: "/"))
        append(name)
        bytes.append(UInt8(ascii: ">"))
    }

    package mutating func element(_ name: String, _ value: String) {
        bytes.append(UInt8(ascii: "<"))
        append(name)
        bytes.append(UInt8(ascii: ">"))
        appendEscaped(value)
        close(name)
    }

    /// An element whose tags are given as bytes (``Shape/Field/xmlTags``).
    package mutating func element(tags: (open: [UInt8], close: [UInt8]), _ value: String) {
        append(written: tags.open)
        appendEscaped(value)
        append(written: tags.close)
    }

    /// Markup already written as bytes (an ``EncodedValue``'s element, a field's tags), copied
    /// as it is.
    package mutating func append(written: [UInt8]) {
        // Grown with room for what follows: an append that grows the array makes it just large
        // enough for a large piece (a kept page of clusters), and the closing tags after it would
        // copy the whole answer again.
        if bytes.capacity - bytes.count < written.count {
            bytes.reserveCapacity(Swift.max(bytes.capacity * 2, bytes.count + written.count + 512))
        }
        bytes += written
    }

    private mutating func attribute(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: " "))
        append(key)
        bytes.append(UInt8(ascii: "="))
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text`'s UTF-8 copied whole from where it is: the UTF8View's generic append cost ~370
    /// instructions a piece (callgrind), and an element has three or four.
    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `value`, escaped, written in place.
    private mutating func appendEscaped(_ value: String) {
        Self.appendEscaped(value, to: &bytes)
    }

    /// `value`, escaped, appended to `bytes`: most values need no escape and are copied whole,
    /// the others byte by byte (each escaped byte is ASCII, so a multi-byte character's bytes
    /// are never one of them).
    private static func appendEscaped(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            guard utf8.contains(where: special) else { return bytes.append(contentsOf: utf8) }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "&"): bytes += "&amp;".utf8
                case UInt8(ascii: "<"): bytes += "&lt;".utf8
                case UInt8(ascii: ">"): bytes += "&gt;".utf8
                case UInt8(ascii: "\""): bytes += "&quot;".utf8
                case UInt8(ascii: "'"): bytes += "&apos;".utf8
                case UInt8(ascii: "\r"): bytes += "&#xD;".utf8
                default: bytes.append(byte)
                }
            }
        }
    }

    /// The bytes an element's text or an attribute's value escapes.
    private static func special(_ byte: UInt8) -> Bool {
        byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 || byte == 0x0D
    }

    /// `value` escaped for an element's text or an attribute's value.
    package static func escape(_ value: String) -> String {
        // Most values need no escape: returned whole, not copied.
        let needed =
            value.utf8.withContiguousStorageIfAvailable { $0.contains(where: special) }
            ?? value.utf8.contains(where: special)
        if !needed { return value }
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 16)
        appendEscaped(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
