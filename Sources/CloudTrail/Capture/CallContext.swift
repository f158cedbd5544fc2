import AWSModels
import AWSWire
import Foundation
import ServiceContract

/// What the recorder knows of one authenticated call, whether it succeeded or not.
package struct CallContext: Sendable {
    /// Who made the call, from where and when: the call's own box when made from one. A change
    /// (tests', mostly) puts the changed facts in a new box.
    private var facts: CallFacts

    package var model: ServiceModel { facts.values.model }
    /// The operation's name, or the unknown action the caller asked for.
    package var eventName: String
    package var operation: OperationModel?
    package var input: ShapeValue?
    package var principal: Principal {
        get { facts.values.principal }
        set { facts = facts.changing { $0.principal = newValue } }
    }
    package var region: String
    package var requestID: String {
        get { facts.values.requestID }
        set { facts = facts.changing { $0.requestID = newValue } }
    }
    package var sourceIP: String {
        get { facts.values.sourceIP }
        set { facts = facts.changing { $0.sourceIP = newValue } }
    }
    package var userAgent: String {
        get { facts.values.userAgent }
        set { facts = facts.changing { $0.userAgent = newValue } }
    }
    package var time: Date {
        get { facts.values.time }
        set { facts = facts.changing { $0.time = newValue } }
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
        facts = CallFacts(
            .init(
                model: model, principal: principal, requestID: requestID, sourceIP: sourceIP, userAgent: userAgent,
                time: time))
        self.eventName = eventName
        self.operation = operation
        self.input = input
        self.region = region
    }

    package init(_ call: OperationCall) {
        facts = call.facts
        eventName = call.operation.name
        operation = call.operation
        input = call.input
        region = call.region
    }

    package var isDataEvent: Bool { !dataResources.isEmpty }
}
