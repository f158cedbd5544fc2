import AWSModels
import AWSWire
import Synchronization

/// How a structure shape's members appear in a record, worked out once per shape: their
/// camel-cased keys in the order records sort them, and which are secrets.
enum RecordPlan {
    /// A class: a renderer reads one per field it writes, and a copy of a struct of these
    /// retained and released each of them (~25 fields a create's answer).
    final class Member: Sendable {
        let field: Shape.Field
        /// `AZMode` → `aZMode`.
        let camel: String
        /// `"aZMode":`, as a record writes it, in UTF-8.
        let key: [UInt8]
        let secret: Bool

        init(field: Shape.Field, camel: String, key: [UInt8], secret: Bool) {
            self.field = field
            self.camel = camel
            self.key = key
            self.secret = secret
        }
    }

    /// A shape's members in record order, and where each member name is in it.
    struct Plan: Sendable {
        let members: [Member]
        /// Member name → index in `members`: one lookup per field a value has, not one per
        /// member of its shape (a cluster's shape has ~40, a create's answer sets ~20), and
        /// without hashing the name (``AWSModels/NameIndex``).
        let positions: NameIndex
    }

    private static let plans = Mutex<[ObjectIdentifier: Plan]>([:])

    static func plan(of shape: Shape, in model: ServiceModel) -> Plan {
        let id = ObjectIdentifier(shape)
        if let plan = plans.withLock({ $0[id] }) { return plan }
        let members = shape.targets(in: model).members
            .map {
                let camel = EventValues.camel($0.name)
                return Member(
                    field: $0, camel: camel, key: Array((JSONWriter.quote(camel) + ":").utf8),
                    secret: Redaction.hides($0.member, shape: $0.shape))
            }
            .sorted { $0.camel < $1.camel }
        let plan = Plan(members: members, positions: NameIndex(members.map(\.field.name)))
        plans.withLock { $0[id] = plan }
        return plan
    }
}
