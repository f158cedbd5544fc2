import Foundation

/// Smithy RPC v2 CBOR bodies (RFC 8949): requests decode into the ``JSONValue`` tree the JSON
/// input decoder already converts by shape, answers encode straight from ``ShapeValue``.
package enum CBOR {
    package struct DecodeError: Error, Sendable {
        package var offset: Int
        package var reason: String
    }

    /// The data item `bytes` hold, as JSON values: integers and floats as numbers, byte strings
    /// base64 (as JSON carries blobs), epoch-seconds timestamps (tag 1) as their number.
    package static func decode(_ bytes: [UInt8], maxDepth: Int = 64) throws(DecodeError) -> JSONValue {
        var reader = Reader(bytes: bytes, maxDepth: maxDepth)
        let value = try reader.item(depth: 0)
        guard reader.index == bytes.count else { throw DecodeError(offset: reader.index, reason: "trailing data") }
        return value
    }

    /// The CBOR encoding of `value`: structures and maps as maps with text keys, timestamps as
    /// tag 1 with epoch seconds.
    package static func encode(_ value: ShapeValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    /// `{"__type": code, "message": message}`, the RPC v2 error body.
    package static func error(code: String, message: String) -> [UInt8] {
        encode(.map(["__type": .string(code), "message": .string(message)]))
    }

    /// A map of the pairs, in their order.
    private static func appendPairs(_ pairs: [(key: String, value: ShapeValue)], to out: inout [UInt8]) {
        head(5, UInt64(pairs.count), to: &out)
        for (key, field) in pairs {
            text(key, to: &out)
            append(field, to: &out)
        }
    }

    private static func append(_ value: ShapeValue, to out: inout [UInt8]) {
        switch value {
        case .structure(let fields): appendPairs(fields.sorted(by: { $0.key < $1.key }), to: &out)
        case .map(let entries): appendPairs(entries.sorted(by: { $0.key < $1.key }), to: &out)
        case .list(let items):
            head(4, UInt64(items.count), to: &out)
            for item in items { append(item, to: &out) }
        case .string(let s): text(s, to: &out)
        case .integer(let i):
            if i >= 0 { head(0, UInt64(i), to: &out) } else { head(1, UInt64(-(i + 1)), to: &out) }
        case .double(let d): float(d, to: &out)
        case .boolean(let b): out.append(b ? 0xF5 : 0xF4)
        case .timestamp(let date):
            out.append(0xC1)  // tag 1: epoch-based date/time
            float(date.timeIntervalSince1970, to: &out)
        case .blob(let bytes):
            head(2, UInt64(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .encoded(let encoded): append(encoded.value, to: &out)
        }
    }

    private static func text(_ s: String, to out: inout [UInt8]) {
        head(3, UInt64(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    private static func float(_ d: Double, to out: inout [UInt8]) {
        out.append(0xFB)
        withUnsafeBytes(of: d.bitPattern.bigEndian) { out.append(contentsOf: $0) }
    }

    /// A major type with its argument in the shortest form.
    private static func head(_ major: UInt8, _ argument: UInt64, to out: inout [UInt8]) {
        let m = major << 5
        switch argument {
        case 0..<24: out.append(m | UInt8(argument))
        case 24...0xFF: out += [m | 24, UInt8(argument)]
        case 0x100...0xFFFF: out.append(m | 25); withUnsafeBytes(of: UInt16(argument).bigEndian) { out += $0 }
        case 0x1_0000...0xFFFF_FFFF:
            out.append(m | 26)
            withUnsafeBytes(of: UInt32(argument).bigEndian) { out += $0 }
        default: out.append(m | 27); withUnsafeBytes(of: argument.bigEndian) { out += $0 }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ reason: String) -> DecodeError { DecodeError(offset: index, reason: reason) }

        mutating func byte() throws(DecodeError) -> UInt8 {
            guard index < bytes.count else { throw fail("unexpected end") }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func take(_ count: Int) throws(DecodeError) -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - index else { throw fail("unexpected end") }
            defer { index += count }
            return bytes[index..<index + count]
        }

        mutating func unsigned(_ size: Int) throws(DecodeError) -> UInt64 {
            try take(size).reduce(0) { $0 << 8 | UInt64($1) }
        }

        /// The argument of a head whose additional information is `info`; nil for indefinite length.
        mutating func argument(_ info: UInt8) throws(DecodeError) -> UInt64? {
            switch info {
            case 0..<24: return UInt64(info)
            case 24: return try unsigned(1)
            case 25: return try unsigned(2)
            case 26: return try unsigned(4)
            case 27: return try unsigned(8)
            case 31: return nil
            default: throw fail("reserved additional information \(info)")
            }
        }

        mutating func length(_ info: UInt8) throws(DecodeError) -> Int? {
            guard let n = try argument(info) else { return nil }
            guard n <= UInt64(bytes.count - index) else { throw fail("length beyond the body") }
            return Int(n)
        }

        /// True (and consumed) when the next byte is the "break" that ends an indefinite item.
        mutating func atBreak() throws(DecodeError) -> Bool {
            guard index < bytes.count else { throw fail("unexpected end") }
            if bytes[index] == 0xFF {
                index += 1
                return true
            }
            return false
        }

        /// A definite or indefinite (chunked) byte or text string.
        mutating func string(major: UInt8, info: UInt8) throws(DecodeError) -> [UInt8] {
            if let n = try length(info) { return Array(try take(n)) }
            var out: [UInt8] = []
            while try !atBreak() {
                let chunk = try byte()
                guard chunk >> 5 == major, let n = try length(chunk & 0x1F) else { throw fail("bad string chunk") }
                out += try take(n)
            }
            return out
        }

        mutating func item(depth: Int) throws(DecodeError) -> JSONValue {
            guard depth <= maxDepth else { throw fail("nested too deeply") }
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1F
            switch major {
            case 0:
                guard let n = try argument(info) else { throw fail("indefinite integer") }
                return .number(String(n))
            case 1:
                guard let n = try argument(info) else { throw fail("indefinite integer") }
                return .number(n == UInt64.max ? "-18446744073709551616" : "-\(n + 1)")
            case 2:
                return .string(Data(try string(major: 2, info: info)).base64EncodedString())
            case 3:
                let raw = try string(major: 3, info: info)
                guard let s = String(validating: raw, as: UTF8.self) else { throw fail("text is not UTF-8") }
                return .string(s)
            case 4:
                var items: [JSONValue] = []
                if let n = try length(info) {
                    for _ in 0..<n { items.append(try item(depth: depth + 1)) }
                } else {
                    while try !atBreak() { items.append(try item(depth: depth + 1)) }
                }
                return .array(items)
            case 5:
                var fields: [String: JSONValue] = [:]
                let count = try length(info)
                var read = 0
                while true {
                    if let count {
                        if read == count { break }
                    } else if try atBreak() {
                        break
                    }
                    let keyStart = index
                    guard case .string(let key) = try item(depth: depth + 1), bytes[keyStart] >> 5 == 3 else {
                        throw DecodeError(offset: keyStart, reason: "map key is not text")
                    }
                    fields[key] = try item(depth: depth + 1)
                    read += 1
                }
                return .object(fields)
            case 6:
                // Tag 1 (epoch seconds) is the only tag the protocol uses: its number stands.
                _ = try argument(info)
                return try item(depth: depth + 1)
            default:
                return try simple(info)
            }
        }

        mutating func simple(_ info: UInt8) throws(DecodeError) -> JSONValue {
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22, 23: return .null
            case 25: return .number(Self.number(Double(Float16(bitPattern: UInt16(try unsigned(2))))))
            case 26: return .number(Self.number(Double(Float(bitPattern: UInt32(try unsigned(4))))))
            case 27: return .number(Self.number(Double(bitPattern: try unsigned(8))))
            default: throw fail("unsupported simple value \(info)")
            }
        }

        static func number(_ d: Double) -> String {
            d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        }
    }
}
