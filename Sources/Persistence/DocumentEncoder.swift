import Foundation

/// Writes a stored document as JSON straight into bytes, as `JSONEncoder` does with its default
/// strategies (`Data` as base64, `URL` as its string, `Decimal` as a number, `Date` through its
/// own encoding: seconds since 2001; non-finite numbers refused), so `JSONDecoder` reads it back
/// unchanged. `JSONEncoder` builds a tree of the whole value before writing it; this writes each
/// member as it is encoded, closing a container when its value's `encode(to:)` returns. A value
/// that asks for a super-encoder (no stored document does) is handed to `JSONEncoder` instead.
package enum DocumentEncoder {
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        let sink = JSONSink()
        try sink.value(value, level: 0)
        if sink.unsupported { return try JSONEncoder().encode(value) }
        return Data(sink.bytes)
    }
}

/// The bytes written so far and the containers still open, outermost first.
private final class JSONSink {
    // One sink per `encode`, used by one thread: exclusive access needs no run-time check,
    // which took a fifth of the encoding's time (perf).
    @exclusivity(unchecked) var bytes: [UInt8] = []
    /// Whether each open container is an object, and how many members it has.
    @exclusivity(unchecked) var frames: [(object: Bool, count: Int)] = []
    var unsupported = false

    /// Room for a cluster's document (~1.5 KB; growing from 1 KB copied it, perf) and for
    /// its nesting.
    init() {
        bytes.reserveCapacity(4096)
        frames.reserveCapacity(8)
    }

    /// Closes the containers from `level` inward: their values are complete.
    func close(from level: Int) {
        while frames.count > level { bytes.append(frames.removeLast().object ? UInt8(ascii: "}") : UInt8(ascii: "]")) }
    }

    func open(object: Bool, level: Int) {
        close(from: level)
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append((object, 0))
    }

    /// Starts the next member of the container at `level`: closes what a nested container left
    /// open, writes the separator and, in an object, the key.
    func member(of level: Int, key: String?) {
        close(from: level + 1)
        if frames[level].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[level].count += 1
        if let key {
            string(key)
            bytes.append(UInt8(ascii: ":"))
        }
    }

    /// Writes `value` whole; a container it opens gets index `level` and is closed after it.
    func value<T: Encodable>(_ value: T, level: Int) throws {
        if T.self == Data.self, let data = value as? Data {
            string(data.base64EncodedString())
        } else if T.self == URL.self, let url = value as? URL {
            string(url.absoluteString)
        } else if T.self == Decimal.self, let decimal = value as? Decimal {
            ascii(decimal.description)
        } else {
            let start = bytes.count
            try value.encode(to: ValueEncoder(sink: self, level: level))
            close(from: level)
            // JSONEncoder writes a value that encoded nothing as an empty object.
            if bytes.count == start { bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
        }
    }

    func ascii(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    func boolean(_ value: Bool) {
        ascii(value ? "true" : "false")
    }

    /// Writes the decimal digits of `value` straight into the bytes (`String(value)` allocated
    /// a string per number: an eighth of a cluster's encoding, perf). Every integer type an
    /// `Encoder` is given fits its magnitude in a `UInt64`.
    func integer<I: BinaryInteger>(_ value: I) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = UInt64(value.magnitude)
        // UInt64.max has 20 digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "\(value) is not representable in JSON."))
        }
        ascii(value.description)
    }

    func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        func escaped(_ byte: UInt8) -> Bool { byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }
        text.withUTF8 { utf8 in
            // Most strings (every key, most values) need no escape: one plain scan, one copy
            // (the loop below costs ~14 instructions a byte; a cluster's document has ~46 strings).
            guard utf8.contains(where: escaped) else { return bytes.append(contentsOf: utf8) }
            var plain = 0
            for (index, byte) in utf8.enumerated() where escaped(byte) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                plain = index + 1
                switch byte {
                case UInt8(ascii: "\""): ascii("\\\"")
                case UInt8(ascii: "\\"): ascii("\\\\")
                case 0x0A: ascii("\\n")
                case 0x0D: ascii("\\r")
                case 0x09: ascii("\\t")
                case 0x08: ascii("\\b")
                case 0x0C: ascii("\\f")
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// The encoder one value is given: its container, when it asks for one, is opened at `level`.
private struct ValueEncoder: Encoder {
    let sink: JSONSink
    let level: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        // A second request (a class and its superclass encoding into one object) reuses it.
        if !(sink.frames.count > level && sink.frames[level].object) { sink.open(object: true, level: level) }
        return KeyedEncodingContainer(ObjectContainer<Key>(sink: sink, level: level))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if !(sink.frames.count > level && !sink.frames[level].object) { sink.open(object: false, level: level) }
        return ArrayContainer(sink: sink, level: level)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(sink: sink, level: level)
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: JSONSink
    let level: Int
    var codingPath: [any CodingKey] { [] }

    private func key(_ key: Key) { sink.member(of: level, key: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        sink.ascii("null")
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.key(key)
        sink.boolean(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        self.key(key)
        sink.string(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.key(key)
        try sink.number(value)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.key(key)
        try sink.number(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        self.key(key)
        sink.integer(value)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try sink.value(value, level: level + 1)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        self.key(key)
        sink.open(object: true, level: level + 1)
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(sink: sink, level: level + 1))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.key(key)
        sink.open(object: false, level: level + 1)
        return ArrayContainer(sink: sink, level: level + 1)
    }

    mutating func superEncoder() -> any Encoder { unsupported() }

    mutating func superEncoder(forKey key: Key) -> any Encoder { unsupported() }

    private func unsupported() -> any Encoder {
        sink.unsupported = true
        return ValueEncoder(sink: JSONSink(), level: 0)
    }
}

private struct ArrayContainer: UnkeyedEncodingContainer {
    let sink: JSONSink
    let level: Int
    var codingPath: [any CodingKey] { [] }
    var count: Int { sink.frames.count > level ? sink.frames[level].count : 0 }

    private func next() { sink.member(of: level, key: nil) }

    mutating func encodeNil() throws {
        next()
        sink.ascii("null")
    }
    mutating func encode(_ value: Bool) throws {
        next()
        sink.boolean(value)
    }
    mutating func encode(_ value: String) throws {
        next()
        sink.string(value)
    }
    mutating func encode(_ value: Double) throws {
        next()
        try sink.number(value)
    }
    mutating func encode(_ value: Float) throws {
        next()
        try sink.number(value)
    }
    mutating func encode(_ value: Int) throws {
        next()
        sink.integer(value)
    }
    mutating func encode(_ value: Int64) throws {
        next()
        sink.integer(value)
    }
    mutating func encode(_ value: UInt64) throws {
        next()
        sink.integer(value)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        next()
        try sink.value(value, level: level + 1)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        next()
        sink.open(object: true, level: level + 1)
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(sink: sink, level: level + 1))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        next()
        sink.open(object: false, level: level + 1)
        return ArrayContainer(sink: sink, level: level + 1)
    }

    mutating func superEncoder() -> any Encoder {
        sink.unsupported = true
        return ValueEncoder(sink: JSONSink(), level: 0)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let sink: JSONSink
    let level: Int
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { sink.ascii("null") }
    mutating func encode(_ value: Bool) throws { sink.boolean(value) }
    mutating func encode(_ value: String) throws { sink.string(value) }
    mutating func encode(_ value: Double) throws { try sink.number(value) }
    mutating func encode(_ value: Float) throws { try sink.number(value) }
    mutating func encode(_ value: Int) throws { sink.integer(value) }
    mutating func encode(_ value: Int8) throws { sink.integer(value) }
    mutating func encode(_ value: Int16) throws { sink.integer(value) }
    mutating func encode(_ value: Int32) throws { sink.integer(value) }
    mutating func encode(_ value: Int64) throws { sink.integer(value) }
    mutating func encode(_ value: UInt) throws { sink.integer(value) }
    mutating func encode(_ value: UInt8) throws { sink.integer(value) }
    mutating func encode(_ value: UInt16) throws { sink.integer(value) }
    mutating func encode(_ value: UInt32) throws { sink.integer(value) }
    mutating func encode(_ value: UInt64) throws { sink.integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try sink.value(value, level: level) }
}
