import AWSModels
import Synchronization

/// How a structure shape's members appear in a record, worked out once per shape: their
/// camel-cased keys in the order records sort them, and which are secrets.
enum RecordPlan {
    struct Member: Sendable {
        let field: Shape.Field
        /// `AZMode` → `aZMode`.
        let camel: String
        let secret: Bool
    }

    private static let plans = Mutex<[ObjectIdentifier: [Member]]>([:])

    static func members(of shape: Shape, in model: ServiceModel) -> [Member] {
        let id = ObjectIdentifier(shape)
        if let plan = plans.withLock({ $0[id] }) { return plan }
        let plan = shape.targets(in: model).members
            .map {
                Member(
                    field: $0, camel: EventValues.camel($0.name), secret: Redaction.hides($0.member, shape: $0.shape))
            }
            .sorted { $0.camel < $1.camel }
        plans.withLock { $0[id] = plan }
        return plan
    }
}
