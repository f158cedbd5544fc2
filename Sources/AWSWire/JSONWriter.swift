import Foundation

/// Writes JSON text; ``ShapeValue`` trees render with their member names as given.
package enum JSONWriter {
    /// How timestamps render: epoch seconds (JSON protocols) or a formatted string.
    package enum TimestampStyle: Sendable {
        case epochSeconds
        case iso8601
        case custom(@Sendable (Date) -> String)
    }

    package static func quote(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    /// Appends `text` as a JSON string literal.
    package static func appendQuoted(_ text: String, to out: inout String) {
        // Most strings need no escape: copy them whole instead of scalar by scalar.
        if isPlain(text) {
            out += "\""
            out += text
            out += "\""
            return
        }
        // Escaped as UTF-8 bytes into one buffer, appended once (appending scalar by scalar to a
        // String cost LookupEvents most of its CPU: each event's JSON is a quoted string of a
        // KB or two).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        appendEscaped(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal to UTF-8 bytes: a byte append costs a fraction
    /// of a `String` append (~300 instructions each, callgrind).
    package static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        // One read of the UTF-8 in place: scanned, then copied from the same buffer (the
        // string's UTF8View would be walked again through a generic append).
        var text = text
        let plain = text.withUTF8 { bytes in
            guard isPlain(bytes) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if !plain { appendEscaped(text, to: &out) }
    }

    /// Whether `text` needs no escape. The scan reads the string's UTF-8 in place (no
    /// per-byte UTF8View indexing; a small string is copied out once).
    private static func isPlain(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(isPlain)
    }

    private static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Eight bytes a step (a record's dozen strings cost ~360 instructions each a byte at a
        // time, callgrind): a word holds a control byte, `"` or `\` when one of its bytes is
        // below 0x20, or is zero after the word is xored with that character in every byte.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasByteBelow(_ word: UInt64, _ limit: UInt64) -> Bool {
            (word &- ones &* limit) & ~word & highs != 0
        }
        let raw = UnsafeRawBufferPointer(bytes)
        var at = 0
        while at + 8 <= raw.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            if hasByteBelow(word, 0x20) || hasByteBelow(word ^ (ones &* 0x22), 1)
                || hasByteBelow(word ^ (ones &* 0x5C), 1)
            {
                return false
            }
            at += 8
        }
        for byte in raw[at...] where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
        return true
    }

    /// `text` quoted with every escape JSON needs; a multi-byte character's bytes are all
    /// ≥ 0x80 and pass unchanged.
    private static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escaped = byte
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case ..<0x20: escaped = UInt8(ascii: "u")
            default:
                bytes.append(byte)
                continue
            }
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escaped)
            if escaped == UInt8(ascii: "u") {
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The JSON text of `value`; structure and map keys are sorted so output is stable.
    package static func write(_ value: ShapeValue, timestamps: TimestampStyle = .epochSeconds) -> String {
        var out = ""
        append(value, to: &out, timestamps: timestamps)
        return out
    }

    /// `value` as JSON into UTF-8 bytes (event records): strings, integers and booleans in
    /// place, anything else written as text first.
    package static func append(_ value: ShapeValue, to out: inout [UInt8], timestamps: TimestampStyle) {
        switch value {
        case .string(let text): appendQuoted(text, to: &out)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .boolean(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .encoded(let encoded): append(encoded.value, to: &out, timestamps: timestamps)
        default:
            var text = ""
            append(value, to: &text, timestamps: timestamps)
            out.append(contentsOf: text.utf8)
        }
    }

    /// An object of the pairs, in their order.
    private static func appendPairs(
        _ pairs: [(key: String, value: ShapeValue)], to out: inout String, timestamps: TimestampStyle
    ) {
        out += "{"
        for (index, (key, field)) in pairs.enumerated() {
            if index > 0 { out += "," }
            appendQuoted(key, to: &out)
            out += ":"
            append(field, to: &out, timestamps: timestamps)
        }
        out += "}"
    }

    package static func append(_ value: ShapeValue, to out: inout String, timestamps: TimestampStyle) {
        switch value {
        case .structure(let fields):
            appendPairs(fields.sorted(by: { $0.key < $1.key }), to: &out, timestamps: timestamps)
        case .map(let entries):
            appendPairs(entries.sorted(by: { $0.key < $1.key }), to: &out, timestamps: timestamps)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                append(item, to: &out, timestamps: timestamps)
            }
            out += "]"
        case .string(let s): appendQuoted(s, to: &out)
        case .integer(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .boolean(let b): out += b ? "true" : "false"
        case .timestamp(let date):
            switch timestamps {
            case .epochSeconds: out += String(date.timeIntervalSince1970)
            case .iso8601: appendQuoted(Timestamps.iso8601(date), to: &out)
            case .custom(let render): appendQuoted(render(date), to: &out)
            }
        case .blob(let bytes): out += quote(Data(bytes).base64EncodedString())
        case .encoded(let encoded): append(encoded.value, to: &out, timestamps: timestamps)
        }
    }
}
