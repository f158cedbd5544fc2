import AWSModels
import Synchronization

/// A value whose XML is kept once written: a described resource that has not changed since
/// the last answer is copied as bytes instead of walked member by member. Anything but the
/// XML writer and the record renderer sees ``value`` (``ShapeValue/unwrapped``). The record
/// renderer keeps its JSON here too: a create's answer, rendered into its event before the
/// writer's transaction, is copied there.
package final class EncodedValue: Sendable, Equatable, Codable {
    package let value: ShapeValue
    /// The bytes of the element, with the shape and element name they were written for.
    private let xml = Mutex<(shape: ObjectIdentifier, name: String, bytes: [UInt8])?>(nil)
    /// The bytes of the value in a CloudTrail record, with the shape and form they were written for.
    private let record = Mutex<(shape: ObjectIdentifier, omittingSecrets: Bool, bytes: [UInt8])?>(nil)

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

    /// The value as a record wrote it before for `shape`, if it did.
    package func recordJSON(shape: Shape, omittingSecrets: Bool) -> [UInt8]? {
        record.withLock { kept in
            guard let kept, kept.shape == ObjectIdentifier(shape), kept.omittingSecrets == omittingSecrets else {
                return nil
            }
            return kept.bytes
        }
    }

    package func keepRecordJSON(_ bytes: [UInt8], shape: Shape, omittingSecrets: Bool) {
        record.withLock { $0 = (ObjectIdentifier(shape), omittingSecrets, bytes) }
    }

    package static func == (lhs: EncodedValue, rhs: EncodedValue) -> Bool { lhs.value == rhs.value }

    package init(from decoder: any Decoder) throws {
        value = try ShapeValue(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
