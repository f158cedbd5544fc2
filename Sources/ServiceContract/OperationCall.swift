import AWSModels
import AWSWire
import Foundation
import Persistence

/// One authenticated call on its way to an operation: the decoded input and who made it.
package struct OperationCall: Sendable {
    /// Who made the call, from where and when (shared with the record of it).
    package let facts: CallFacts
    package let operation: OperationModel
    package let input: ShapeValue
    package var model: ServiceModel { facts.values.model }
    package var principal: Principal { facts.values.principal }
    package var requestID: String { facts.values.requestID }
    package var sourceIP: String { facts.values.sourceIP }
    package var userAgent: String { facts.values.userAgent }
    package var now: Date { facts.values.time }
    /// The region the call is answered in (a global datastore's member calls change it).
    package var region: String
    /// Whether the request reached the server over TLS (`aws:SecureTransport`): this server
    /// speaks plain HTTP, so only a trusted proxy's `X-Forwarded-Proto: https` makes it true.
    package var secureTransport = false
    /// What ``ServiceHandler/stage(_:)`` prepared for this call outside the transaction.
    package var staged: (any Sendable)?

    package init(
        model: ServiceModel, operation: OperationModel, input: ShapeValue, principal: Principal, region: String,
        requestID: String, sourceIP: String, userAgent: String, now: Date
    ) {
        facts = CallFacts(
            .init(
                model: model, principal: principal, requestID: requestID, sourceIP: sourceIP, userAgent: userAgent,
                time: now))
        self.operation = operation
        self.input = input
        self.region = region
    }

    package var account: String { principal.accountId }

    /// The partition of the call's region: the second field of every ARN the call makes.
    package var partition: Partition { Partition(region: region) }

    /// The global condition keys every request carries (the service adds its own).
    package var globalConditionKeys: [String: [String]] {
        var context: [String: [String]] = [
            "aws:SourceIp": [sourceIP], "aws:PrincipalArn": [principal.arn],
            "aws:PrincipalAccount": [principal.accountId], "aws:SecureTransport": [secureTransport ? "true" : "false"],
            "aws:CurrentTime": [Timestamps.iso8601(now)], "aws:userid": [principal.principalId],
        ]
        if let user = principal.userName { context["aws:username"] = [user] }
        // Keys temporary credentials carry: no session here was made with MFA.
        if principal.isSession {
            context["aws:MultiFactorAuthPresent"] = ["false"]
            if let issued = principal.sessionCreationDate {
                context["aws:TokenIssueTime"] = [Timestamps.iso8601(issued)]
            }
        }
        return context
    }

    /// A member of the input, as decoded (`call[.tags]`).
    package subscript(_ member: MemberName) -> ShapeValue? {
        input[member: member.rawValue]
    }

    /// A string member of the input (names are generated: `call.string(.cacheClusterId)`).
    package func string(_ member: MemberName) -> String? {
        input[member: member.rawValue]?.stringValue
    }

    package func int(_ member: MemberName) -> Int? {
        input[member: member.rawValue]?.intValue.map { Int($0) }
    }

    /// A member the model marks required (the decoder has already checked it is present).
    package func required(_ member: MemberName) throws(AWSError) -> String {
        guard let value = string(member) else { throw ValidationStyle.of(model).missing(member.rawValue) }
        return value
    }

    /// The model's exception `shape` with `message` (`call.error(.cacheClusterNotFoundFault, …)`).
    package func error(_ shape: ErrorShape, _ message: String) -> AWSError {
        .modeled(shape.rawValue, in: model, message)
    }
}
