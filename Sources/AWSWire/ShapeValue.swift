import Foundation

/// A decoded input or an output to encode: a value of some model shape.
///
/// The model (not the value) says how it goes on the wire; the same value renders as Query
/// XML, JSON 1.1 or a CloudTrail `requestParameters` object.
package enum ShapeValue: Sendable, Equatable, Codable {
    case structure(ShapeFields)
    case list([ShapeValue])
    case map([String: ShapeValue])
    case string(String)
    case integer(Int64)
    case double(Double)
    case boolean(Bool)
    case timestamp(Date)
    case blob([UInt8])
    /// A value with its XML kept (see ``EncodedValue``); it reads as the value it holds.
    case encoded(EncodedValue)

    /// The value itself: an ``encoded(_:)`` value's content, any other value as it is.
    package var unwrapped: ShapeValue {
        if case .encoded(let encoded) = self { return encoded.value }
        return self
    }

    /// The member `name` of a structure value.
    package subscript(member name: String) -> ShapeValue? {
        if case .structure(let fields) = unwrapped { return fields[name] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let s) = unwrapped { return s }
        return nil
    }

    package var intValue: Int64? {
        if case .integer(let i) = unwrapped { return i }
        return nil
    }

    package var boolValue: Bool? {
        if case .boolean(let b) = unwrapped { return b }
        return nil
    }

    package var listValue: [ShapeValue]? {
        if case .list(let l) = unwrapped { return l }
        return nil
    }

    /// A structure value from its present members; nil members are left out. Takes the
    /// literal's pairs as written: a `[String: ShapeValue?]` would be hashed once to build and
    /// again to drop the nils. The names are taken as distinct (a literal's are).
    package static func object(_ fields: KeyValuePairs<String, ShapeValue?>) -> ShapeValue {
        var present = ShapeFields()
        present.reserveCapacity(fields.count)
        for (key, value) in fields {
            if let value { present.append(key, value) }
        }
        return .structure(present)
    }
}
