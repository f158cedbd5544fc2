import AWSModels
import AWSWire
import Foundation
import ServiceContract

/// What the recorder knows of one authenticated call, whether it succeeded or not.
public struct CallContext: Sendable {
    public var model: ServiceModel
    /// The operation's name, or the unknown action the caller asked for.
    public var eventName: String
    public var operation: OperationModel?
    public var input: ShapeValue?
    public var principal: Principal
    public var region: String
    public var requestID: String
    public var sourceIP: String
    public var userAgent: String
    public var time: Date
    /// Non-empty for a data event: the resources it acted on.
    public var dataResources: [DataResource] = []
    /// For a management event, the resource ARN it acted on (event history's Resources).
    public var resourceArn: String?
    /// For an S3 call: its Host, signing method and bytes in (S3's own record fields).
    public var s3: S3Transfer?

    public init(
        model: ServiceModel, eventName: String, operation: OperationModel?, input: ShapeValue?, principal: Principal,
        region: String, requestID: String, sourceIP: String, userAgent: String, time: Date
    ) {
        self.model = model
        self.eventName = eventName
        self.operation = operation
        self.input = input
        self.principal = principal
        self.region = region
        self.requestID = requestID
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.time = time
    }

    public init(_ call: OperationCall) {
        self.init(
            model: call.model, eventName: call.operation.name, operation: call.operation, input: call.input,
            principal: call.principal, region: call.region, requestID: call.requestID, sourceIP: call.sourceIP,
            userAgent: call.userAgent, time: call.now)
    }

    public var isDataEvent: Bool { !dataResources.isEmpty }
}
