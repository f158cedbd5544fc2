import AWSModels
import Synchronization

/// A value whose XML is kept once written: a described resource that has not changed since
/// the last answer is copied as bytes instead of walked member by member. Anything but the
/// XML writer sees ``value`` (``ShapeValue/unwrapped``).
package final class EncodedValue: Sendable, Equatable, Codable {
    package let value: ShapeValue
    /// The bytes of the element, with the shape and element name they were written for.
    private let xml = Mutex<(shape: ObjectIdentifier, name: String, bytes: [UInt8])?>(nil)

    package init(_ value: ShapeValue) {
        self.value = value
    }

    /// The element as written before for `shape` under `name`, if it was.
    func xml(shape: Shape, name: String) -> [UInt8]? {
        xml.withLock { kept in
            guard let kept, kept.shape == ObjectIdentifier(shape), kept.name == name else { return nil }
            return kept.bytes
        }
    }

    func keep(_ bytes: [UInt8], shape: Shape, name: String) {
        xml.withLock { $0 = (ObjectIdentifier(shape), name, bytes) }
    }

    package static func == (lhs: EncodedValue, rhs: EncodedValue) -> Bool { lhs.value == rhs.value }

    package init(from decoder: any Decoder) throws {
        value = try ShapeValue(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
