import AWSModels
import AWSWire
import Foundation
import ServiceContract

/// What the recorder knows of one authenticated call, whether it succeeded or not.
package struct CallContext: Sendable {
    package var model: ServiceModel
    /// The operation's name, or the unknown action the caller asked for.
    package var eventName: String
    package var operation: OperationModel?
    package var input: ShapeValue?
    package var principal: Principal
    package var region: String
    package var requestID: String
    package var sourceIP: String
    package var userAgent: String
    package var time: Date
    /// Non-empty for a data event: the resources it acted on.
    package var dataResources: [DataResource] = []
    /// For a management event, the resource ARN it acted on (event history's Resources).
    package var resourceArn: String?
    /// For an S3 call: its Host, signing method and bytes in (S3's own record fields).
    package var s3: S3Transfer?
    /// Another account whose resource the call used (a cross-account AssumeRole's role owner):
    /// it gets its own copy of the event, both carrying one `sharedEventID`.
    package var sharedWith: String?

    package init(
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

    package init(_ call: OperationCall) {
        self.init(
            model: call.model, eventName: call.operation.name, operation: call.operation, input: call.input,
            principal: call.principal, region: call.region, requestID: call.requestID, sourceIP: call.sourceIP,
            userAgent: call.userAgent, time: call.now)
    }

    package var isDataEvent: Bool { !dataResources.isEmpty }
}
