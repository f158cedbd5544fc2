import AWSModels
import Foundation

/// Decodes AWS Query parameters (`Tags.Tag.1.Key=…`) into a value of the operation's input
/// shape, following the model's member names, list and map serialization and scalar types.
///
/// The reverse of botocore's `QuerySerializer`: lists are `Name.member.N` (or the element's
/// `locationName`), flattened lists `Name.N`, maps `Name.entry.N.key` / `.value`.
package struct QueryDecoder: Sendable {
    /// Bounds that keep a hostile request from costing more than a real one.
    package static let maxParameters = 5_000
    package static let maxDepth = 32
    /// The longest parameter name accepted; real ones stay well under 200 bytes.
    package static let maxKeyLength = 1_024

    package let model: ServiceModel
    let style: ValidationStyle

    package init(model: ServiceModel) {
        self.model = model
        self.style = .of(model)
        self.dropsEmptyOptionals = model.metadata.endpointPrefix == "elasticache"
    }

    /// Whether an optional scalar sent as an empty string counts as not sent.
    let dropsEmptyOptionals: Bool

    /// Decodes `parameters` (without `Action` and `Version`) as the input shape `shapeName`.
    package func decode(_ parameters: [String: String], shape shapeName: String) throws(AWSError) -> ShapeValue {
        guard parameters.count <= Self.maxParameters else {
            throw AWSError(code: "InvalidParameterValue", message: "The request has too many parameters.")
        }
        var present = Set<Substring>(minimumCapacity: parameters.count * 2)
        for key in parameters.keys {
            // Depth and length first, in one pass: building the prefixes of a key of thousands
            // of dots would cost the square of its length.
            guard key.utf8.count <= Self.maxKeyLength else {
                throw AWSError(code: "InvalidParameterValue", message: "The parameter \(key.prefix(64))… is too long.")
            }
            guard key.utf8.lazy.filter({ $0 == UInt8(ascii: ".") }).count <= Self.maxDepth else {
                throw AWSError(
                    code: "InvalidParameterValue", message: "The parameter \(key.prefix(64)) is nested too deeply.")
            }
            present.insert(Substring(key))
            // By bytes: finding "." among Characters walked grapheme clusters (~300
            // instructions a character, callgrind).
            let utf8 = key.utf8
            var index = utf8.startIndex
            while let dot = utf8[index...].firstIndex(of: UInt8(ascii: ".")) {
                present.insert(key[..<dot])
                index = utf8.index(after: dot)
            }
        }
        let context = Context(parameters: parameters, present: present)
        let value = try decodeStructure(model.shape(shapeName), prefix: "", context) ?? .structure([:])
        try InputValidator(model: model).validate(value, shape: shapeName)
        return value
    }

    struct Context {
        let parameters: [String: String]
        /// Every parameter's name and every prefix of one ending before a dot: a member is
        /// present when its name is here (one lookup; absent members are most of a shape's).
        let present: Set<Substring>
        /// A 256-bit filter of `present` by length and end bytes (mixed as ``NameIndex`` mixes
        /// them): most of a shape's members are absent, and a clear bit says so without hashing
        /// the name (SipHash, ~30 times a CreateCacheCluster).
        private let filter: [UInt64]

        init(parameters: [String: String], present: Set<Substring>) {
            self.parameters = parameters
            self.present = present
            var filter = [UInt64](repeating: 0, count: 4)
            for name in present {
                let bit = Self.bit(name.utf8)
                filter[bit >> 6] |= 1 << UInt64(bit & 63)
            }
            self.filter = filter
        }

        private static func bit<Bytes: BidirectionalCollection<UInt8>>(_ name: Bytes) -> Int {
            bit(count: name.count, first: name.first ?? 0, last: name.last ?? 0)
        }

        private static func bit(count: Int, first: UInt8, last: UInt8) -> Int {
            Int(truncatingIfNeeded: NameIndex.mix(count: count, first: Int(first), last: Int(last)) >> 56)
        }

        private func passes(_ bit: Int) -> Bool {
            filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0
        }

        func isPresent(_ key: String) -> Bool {
            passes(Self.bit(key.utf8)) && present.contains(Substring(key))
        }

        /// Whether the filter lets `field` under `prefix` (its UTF-8 length and first byte; nil
        /// at the top) through, read from the lengths and end bytes alone: most of a shape's
        /// members are absent, and their names are then never built (~30 a CreateCacheCluster).
        func mayBePresent(_ field: Shape.Field, under prefix: (count: Int, first: UInt8)?) -> Bool {
            let name = field.xmlNameEnds
            guard let prefix else { return passes(Self.bit(count: name.count, first: name.first, last: name.last)) }
            // `prefix.name`: the prefix's first byte, the name's last (the dot's when it is empty).
            let last = name.count == 0 ? UInt8(ascii: ".") : name.last
            return passes(Self.bit(count: prefix.count + 1 + name.count, first: prefix.first, last: last))
        }
    }

    private func join(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : "\(prefix).\(name)"
    }

    private func decodeStructure(_ shape: Shape, prefix: String, _ context: Context) throws(AWSError) -> ShapeValue? {
        var fields = ShapeFields()
        // The members' shapes and query names as the model resolved them once (a lookup by
        // shape name for each member of a 35-member input was ~a third of decoding it).
        // The member itself is copied (a retain per string in it) only once it is present.
        let ends = prefix.isEmpty ? nil : (count: prefix.utf8.count, first: prefix.utf8.first ?? 0)
        for field in shape.targets(in: model).members {
            guard context.mayBePresent(field, under: ends) else { continue }
            let target = field.shape
            let key = join(prefix, field.xmlName)
            guard context.present.contains(Substring(key)) else { continue }
            // ElastiCache treats an optional parameter sent empty (`EngineVersion=`, as a widely
            // used provisioning module sends by default) as not given.
            if dropsEmptyOptionals, context.parameters[key] == "", !field.isRequired,
                ![.structure, .list, .map].contains(target.kind)
            {
                continue
            }
            if let value = try decodeValue(field.member, target, key: key, context) {
                fields.append(field.name, value)
            }
        }
        if !prefix.isEmpty && fields.isEmpty && context.parameters[prefix] == nil { return nil }
        return .structure(fields)
    }

    private func decodeValue(_ member: Member, _ shape: Shape, key: String, _ context: Context) throws(AWSError)
        -> ShapeValue?
    {
        switch shape.kind {
        case .structure:
            return try decodeStructure(shape, prefix: key, context)
        case .list:
            return try decodeList(member, shape, key: key, context)
        case .map:
            return try decodeMap(member, shape, key: key, context)
        default:
            guard let text = context.parameters[key] else { return nil }
            return try scalar(text, shape, name: key)
        }
    }

    private func decodeList(_ member: Member, _ shape: Shape, key: String, _ context: Context) throws(AWSError)
        -> ShapeValue
    {
        guard let element = shape.element else { return .list([]) }
        let elementShape = model.shape(element.shape)
        let base: String
        if member.flattened || shape.flattened {
            if let name = element.locationName {
                let parent = key.split(separator: ".").dropLast().joined(separator: ".")
                base = join(parent, name)
            } else {
                base = key
            }
        } else {
            base = "\(key).\(element.locationName ?? "member")"
        }
        var items: [ShapeValue] = []
        var index = 1
        while context.isPresent("\(base).\(index)") {
            if let item = try decodeValue(element, elementShape, key: "\(base).\(index)", context) {
                items.append(item)
            }
            index += 1
        }
        return .list(items)
    }

    private func decodeMap(_ member: Member, _ shape: Shape, key: String, _ context: Context) throws(AWSError)
        -> ShapeValue
    {
        guard let keyMember = shape.key, let valueMember = shape.value else { return .map([:]) }
        let base = member.flattened || shape.flattened ? key : "\(key).entry"
        let keyName = keyMember.locationName ?? "key"
        let valueName = valueMember.locationName ?? "value"
        let valueShape = model.shape(valueMember.shape)
        var entries: [String: ShapeValue] = [:]
        var index = 1
        while context.isPresent("\(base).\(index)") {
            let entry = "\(base).\(index)"
            guard let mapKey = context.parameters["\(entry).\(keyName)"] else {
                throw style.missing("\(entry).\(keyName)")
            }
            if let value = try decodeValue(valueMember, valueShape, key: "\(entry).\(valueName)", context) {
                entries[mapKey] = value
            }
            index += 1
        }
        return .map(entries)
    }

    /// One scalar parameter, typed per the model.
    func scalar(_ text: String, _ shape: Shape, name: String) throws(AWSError) -> ShapeValue {
        // Built only for an error: most scalars are fine.
        var shown: String { shape.sensitive ? "***" : String(text.prefix(256)) }
        switch shape.kind {
        case .string:
            return .string(text)
        case .integer, .long:
            // Digits as sent parse as they are; Foundation's trimming (a few % of a Describe's
            // CPU) only for text that may be padded.
            guard let number = Int64(text) ?? Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw style.badType(name, shown, expected: "an integer")
            }
            if shape.kind == .integer, number < Int64(Int32.min) || number > Int64(Int32.max) {
                throw style.badType(name, shown, expected: "a 32-bit integer")
            }
            return .integer(number)
        case .double, .float:
            guard let number = Double(text), number.isFinite else {
                throw style.badType(name, shown, expected: "a number")
            }
            return .double(number)
        case .boolean:
            switch text.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw style.badType(name, shown, expected: "a boolean (true or false)")
            }
        case .timestamp:
            guard let date = Timestamps.parse(text) else {
                throw style.badType(name, shown, expected: "a timestamp")
            }
            return .timestamp(date)
        case .blob:
            guard let data = Data(base64Encoded: text) else {
                throw style.badType(name, shown, expected: "base64-encoded data")
            }
            return .blob([UInt8](data))
        case .structure, .list, .map:
            throw style.badType(name, shown, expected: "a structure")
        }
    }
}

extension QueryDecoder {
    /// Parses an `application/x-www-form-urlencoded` body or query string.
    package static func formParameters(_ text: Substring) -> [String: String] {
        var text = text
        return text.withUTF8 { formParameters(utf8: $0) }
    }

    /// ``formParameters(_:)`` of a body's bytes (malformed UTF-8 is repaired, as
    /// `String(decoding:as:)` does).
    package static func formParameters(utf8 bytes: [UInt8]) -> [String: String] {
        bytes.withUnsafeBufferPointer { formParameters(utf8: $0) }
    }

    /// Split as bytes at integer offsets: the UTF-8 view's indices cost ~10 instructions a
    /// byte to walk (`firstIndex(of:)` on a body was ~5,800 instructions a create).
    private static func formParameters(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [String: String] {
        var result: [String: String] = [:]
        // Sized ahead from the body's length (a pair takes at least ~16 bytes, `Action=…&`):
        // grown from empty, a create's eight parameters rehashed the names already in it three
        // times (~3,100 instructions, callgrind); counting the `&`s first cost ~1,000.
        result.reserveCapacity(bytes.count / 16 + 2)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            defer { start = end + 1 }
            guard end > start else { continue }
            var equals = start
            while equals < end && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            let name = formUnescape(UnsafeBufferPointer(rebasing: bytes[start..<equals]))
            result[name] = equals < end ? formUnescape(UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end])) : ""
        }
        return result
    }

    /// `+` as a space and `%XX` escapes decoded; text with a malformed escape, or escapes that
    /// are not UTF-8, keeps its escapes (only `+` replaced).
    static func formUnescape(_ text: Substring) -> String {
        var text = text
        return text.withUTF8 { formUnescape($0) }
    }

    private static func formUnescape(_ text: UnsafeBufferPointer<UInt8>) -> String {
        // Most names and values have neither: copy them whole.
        guard text.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(decoding: text, as: UTF8.self)
        }
        let plusFree = text.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(plusFree.count)
        var index = 0
        while index < plusFree.count {
            if plusFree[index] == UInt8(ascii: "%") {
                guard index + 2 < plusFree.count, let high = hexValue(plusFree[index + 1]),
                    let low = hexValue(plusFree[index + 2])
                else { return String(decoding: plusFree, as: UTF8.self) }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(plusFree[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? String(decoding: plusFree, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
