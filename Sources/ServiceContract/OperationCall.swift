import AWSModels
import AWSWire
import Foundation
import Persistence

/// One authenticated call on its way to an operation: the decoded input and who made it.
public struct OperationCall: Sendable {
    public var model: ServiceModel
    public var operation: OperationModel
    public var input: ShapeValue
    public var principal: Principal
    public var region: String
    public var requestID: String
    public var sourceIP: String
    public var userAgent: String
    public var now: Date

    public init(
        model: ServiceModel, operation: OperationModel, input: ShapeValue, principal: Principal, region: String,
        requestID: String, sourceIP: String, userAgent: String, now: Date
    ) {
        self.model = model
        self.operation = operation
        self.input = input
        self.principal = principal
        self.region = region
        self.requestID = requestID
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.now = now
    }

    public var account: String { principal.accountId }

    public func string(_ member: String) -> String? {
        input[member: member]?.stringValue
    }

    public func int(_ member: String) -> Int? {
        input[member: member]?.intValue.map { Int($0) }
    }

    /// A member the model marks required (the decoder has already checked it is present).
    public func required(_ member: String) throws(AWSError) -> String {
        guard let value = string(member) else { throw ValidationStyle.of(model).missing(member) }
        return value
    }

    /// The model's exception `shape` with `message`.
    public func error(_ shape: String, _ message: String) -> AWSError {
        .modeled(shape, in: model, message)
    }
}
