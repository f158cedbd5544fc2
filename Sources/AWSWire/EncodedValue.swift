import AWSModels
import Synchronization

/// A value whose XML is kept once written: a described resource that has not changed since
/// the last answer is copied as bytes instead of walked member by member. Anything but the
/// XML writer and the record renderer sees ``value`` (``ShapeValue/unwrapped``). The record
/// renderer keeps its JSON here too: a create's answer, rendered into its event before the
/// writer's transaction, is copied there.
package final class EncodedValue: Sendable, Equatable, Codable {
    package let value: ShapeValue
    /// The bytes of the element, written for a shape under an element name.
    private let xml = Kept<String>()
    /// The bytes of the value in a CloudTrail record, written for a shape with secrets left out or not.
    private let record = Kept<Bool>()

    package init(_ value: ShapeValue) {
        self.value = value
    }

    /// The element as written before for `shape` under `name`, if it was.
    func xml(shape: Shape, name: String) -> [UInt8]? { xml.bytes(shape: shape, form: name) }

    func keep(_ bytes: [UInt8], shape: Shape, name: String) { xml.keep(bytes, shape: shape, form: name) }

    /// The value as a record wrote it before for `shape`, if it did.
    package func recordJSON(shape: Shape, omittingSecrets: Bool) -> [UInt8]? {
        record.bytes(shape: shape, form: omittingSecrets)
    }

    package func keepRecordJSON(_ bytes: [UInt8], shape: Shape, omittingSecrets: Bool) {
        record.keep(bytes, shape: shape, form: omittingSecrets)
    }

    /// One rendering kept: its bytes, for the shape and form (`Form`) they were written for (in
    /// the value itself: no allocation of its own).
    private struct Kept<Form: Equatable & Sendable>: ~Copyable, Sendable {
        private let kept = Mutex<(shape: ObjectIdentifier, form: Form, bytes: [UInt8])?>(nil)

        func bytes(shape: Shape, form: Form) -> [UInt8]? {
            kept.withLock { kept in
                guard let kept, kept.shape == ObjectIdentifier(shape), kept.form == form else { return nil }
                return kept.bytes
            }
        }

        func keep(_ bytes: [UInt8], shape: Shape, form: Form) {
            kept.withLock { $0 = (ObjectIdentifier(shape), form, bytes) }
        }
    }

    package static func == (lhs: EncodedValue, rhs: EncodedValue) -> Bool { lhs.value == rhs.value }

    package init(from decoder: any Decoder) throws {
        value = try ShapeValue(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
