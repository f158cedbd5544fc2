import AWSModels
import AWSWire
import Foundation
import ServiceContract

/// What the recorder knows of one authenticated call, whether it succeeded or not.
package struct CallContext: Sendable {
    /// The call's facts, held once in a box: a context is copied into the closures and values
    /// that record it, and each copy of these strings retained and released every one of them.
    /// A change (tests', mostly) puts the changed facts in a new box.
    private struct Facts {
        var model: ServiceModel
        var operation: OperationModel?
        var input: ShapeValue?
        var principal: Principal
        var requestID: String
        var sourceIP: String
        var userAgent: String
        var time: Date
    }

    private final class Box: Sendable {
        let facts: Facts
        init(_ facts: Facts) { self.facts = facts }
    }

    private var box: Box
    private var facts: Facts {
        get { box.facts }
        set { box = Box(newValue) }
    }

    package var model: ServiceModel {
        get { facts.model }
        set { facts.model = newValue }
    }
    /// The operation's name, or the unknown action the caller asked for.
    package var eventName: String
    package var operation: OperationModel? {
        get { facts.operation }
        set { facts.operation = newValue }
    }
    package var input: ShapeValue? {
        get { facts.input }
        set { facts.input = newValue }
    }
    package var principal: Principal {
        get { facts.principal }
        set { facts.principal = newValue }
    }
    package var region: String
    package var requestID: String {
        get { facts.requestID }
        set { facts.requestID = newValue }
    }
    package var sourceIP: String {
        get { facts.sourceIP }
        set { facts.sourceIP = newValue }
    }
    package var userAgent: String {
        get { facts.userAgent }
        set { facts.userAgent = newValue }
    }
    package var time: Date {
        get { facts.time }
        set { facts.time = newValue }
    }
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
        box = Box(
            Facts(
                model: model, operation: operation, input: input, principal: principal, requestID: requestID,
                sourceIP: sourceIP, userAgent: userAgent, time: time))
        self.eventName = eventName
        self.region = region
    }

    package init(_ call: OperationCall) {
        self.init(
            model: call.model, eventName: call.operation.name, operation: call.operation, input: call.input,
            principal: call.principal, region: call.region, requestID: call.requestID, sourceIP: call.sourceIP,
            userAgent: call.userAgent, time: call.now)
    }

    package var isDataEvent: Bool { !dataResources.isEmpty }
}
