import AWSModels
import Foundation

/// Who made a call, from where and when: what an ``OperationCall`` and the audit record of it
/// share, held once. A call is copied several times on its way (into closures, contexts, the
/// staged answer) and a copy of these strings retained and released each of them; a copy of
/// the box retains one reference.
package final class CallFacts: Sendable {
    package struct Values: Sendable {
        package var model: ServiceModel
        package var principal: Principal
        package var requestID: String
        package var sourceIP: String
        package var userAgent: String
        package var time: Date

        package init(
            model: ServiceModel, principal: Principal, requestID: String, sourceIP: String, userAgent: String,
            time: Date
        ) {
            self.model = model
            self.principal = principal
            self.requestID = requestID
            self.sourceIP = sourceIP
            self.userAgent = userAgent
            self.time = time
        }
    }

    package let values: Values

    package init(_ values: Values) { self.values = values }

    /// These facts with one changed, in a new box (the box is shared, so never changed in place).
    package func changing(_ change: (inout Values) -> Void) -> CallFacts {
        var values = values
        change(&values)
        return CallFacts(values)
    }
}
