import AWSModels
import AWSWire
import Synchronization

/// How a structure shape's members appear in a record, worked out once per shape: their
/// camel-cased keys in the order records sort them, and which are secrets.
enum RecordPlan {
    struct Member: Sendable {
        let field: Shape.Field
        /// `AZMode` → `aZMode`.
        let camel: String
        /// `"aZMode":`, as a record writes it.
        let key: String
        let secret: Bool
    }

    private static let plans = Mutex<[ObjectIdentifier: [Member]]>([:])

    static func members(of shape: Shape, in model: ServiceModel) -> [Member] {
        let id = ObjectIdentifier(shape)
        if let plan = plans.withLock({ $0[id] }) { return plan }
        let plan = shape.targets(in: model).members
            .map {
                let camel = EventValues.camel($0.name)
                return Member(
                    field: $0, camel: camel, key: JSONWriter.quote(camel) + ":",
                    secret: Redaction.hides($0.member, shape: $0.shape))
            }
            .sorted { $0.camel < $1.camel }
        plans.withLock { $0[id] = plan }
        return plan
    }
}
