import AWSModels
import AWSWire
import Persistence

/// What a ``ServiceHandler/stage(_:)`` settled so far that it knows the answer `handle` will
/// give from it: the answer's ``AWSWire/EncodedValue`` parts are rendered into the call's event
/// before the transaction, so the writer only copies them.
package protocol StagedAnswer: Sendable {
    var answer: ShapeValue { get }
}

/// A hosted service: its model, the resource each operation acts on, and the operations.
package protocol ServiceHandler: Sendable {
    var model: ServiceModel { get }

    /// The resource ARN the pipeline authorizes the call against, or nil when the operation
    /// needs no identity-policy check (or checks for itself, as AssumeRole does).
    func resource(for call: OperationCall) -> String?

    /// Performs the operation inside the call's transaction, so that its state changes and its
    /// CloudTrail event commit together (or not at all). Throws ``AWSError`` for failures the
    /// caller should see; an operation this server does not serve throws the protocol's
    /// unsupported-operation error.
    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue?

    /// Work on the call's input that needs no state (hashing, encrypting and fsyncing an
    /// object's bytes), run before the writer's transaction so that it holds no other call up;
    /// `handle` finds the result in `call.staged`. Nil when there is nothing to stage, or when
    /// staging failed and `handle` should do the work and answer the failure itself.
    func stage(_ call: OperationCall) -> (any Sendable)?

    /// Once the call's outcome is known: `committed` is false when its transaction did not
    /// commit, leaving what was staged unreferenced.
    func unstage(_ staged: any Sendable, committed: Bool)

    func isDataEvent(_ operation: OperationModel) -> Bool

    /// Whether `operation` reads the event journal (event history): read-only calls' events
    /// still on their way into it are committed before it runs.
    func readsJournal(_ operation: OperationModel) -> Bool

    /// The resources a data event acts on (`AWS::S3::Object`, `AWS::S3::Bucket`).
    func dataResources(for call: OperationCall) -> [DataResource]

    /// The `eventName` CloudTrail records for `operation` (S3 records some under older names).
    func eventName(for operation: String) -> String

    /// The resource the call's event names when it is not the one authorized against (AssumeRole
    /// names its role, which its trust policy authorizes).
    func recordedResource(for call: OperationCall) -> String?

    /// Every resource the call names, each of which must be authorized (the first is
    /// ``resource(for:)``, the one its event names).
    func resources(for call: OperationCall) -> [String]

    /// `arn` as the stored resource spells it, for authorization (an IAM user's ARN carries its
    /// path, which only the stored user knows); `arn` itself by default.
    func storedResource(_ arn: String, in tx: any StateReader) throws -> String

    /// The service's condition keys (and `aws:RequestTag/…`) the call's input sets.
    func conditionKeys(for call: OperationCall) -> [String: [String]]

    /// The tags of the resource `arn` names, for `aws:ResourceTag/…` conditions; nil when the
    /// service keeps no tags for it (or it does not exist yet).
    func resourceTags(_ arn: String, in tx: any StateReader) throws -> [String: String]?

    /// The account's taggable resources in `region`, with their tags (for the Resource Groups
    /// Tagging API).
    func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource]
}

/// A resource and its tags, as the Resource Groups Tagging API lists them.
package struct TaggedResource: Sendable, Equatable {
    package var arn: String
    package var tags: [String: String]

    package init(arn: String, tags: [String: String]) {
        self.arn = arn
        self.tags = tags
    }
}

/// A resource named in a data event's `resources`.
package struct DataResource: Sendable, Equatable {
    package var type: String
    package var arn: String
    package var accountId: String?

    package init(type: String, arn: String, accountId: String? = nil) {
        self.type = type
        self.arn = arn
        self.accountId = accountId
    }
}

extension ServiceHandler {
    package func stage(_ call: OperationCall) -> (any Sendable)? { nil }

    package func unstage(_ staged: any Sendable, committed: Bool) {}

    /// Whether `operation` is a CloudTrail data event, recorded only when a trail's selectors
    /// ask for it (S3 object calls). Management events are always recorded.
    package func isDataEvent(_ operation: OperationModel) -> Bool { false }

    package func readsJournal(_ operation: OperationModel) -> Bool { false }

    package func dataResources(for call: OperationCall) -> [DataResource] { [] }

    package func eventName(for operation: String) -> String { operation }

    package func recordedResource(for call: OperationCall) -> String? { nil }

    package func resourceTags(_ arn: String, in tx: any StateReader) throws -> [String: String]? { nil }

    package func resources(for call: OperationCall) -> [String] { resource(for: call).map { [$0] } ?? [] }

    package func storedResource(_ arn: String, in tx: any StateReader) throws -> String { arn }

    package func conditionKeys(for call: OperationCall) -> [String: [String]] { [:] }

    package func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource] {
        []
    }
}
