import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract

/// How an AWS service (CloudTrail) publishes to a customer's topic: as its service principal,
/// on behalf of a resource (`aws:SourceArn`, `aws:SourceAccount`); the topic's policy decides.
package struct ServiceNotifier: Sendable {
    package let service: String

    package init(service: String) {
        self.service = service
    }

    /// Whether the topic exists and lets the service publish for `sourceArn`.
    package func check(topicArn: String, account: String, sourceArn: String, in tx: any StateReader) throws
        -> TopicAccess
    {
        try allowedTopic(topicArn: topicArn, account: account, sourceArn: sourceArn, in: tx).check
    }

    /// The topic when it exists and lets the service publish, and the check's outcome.
    private func allowedTopic(topicArn: String, account: String, sourceArn: String, in tx: any StateReader) throws
        -> (topic: TopicRecord?, check: TopicAccess)
    {
        guard let owner = SNSService.parse(topicArn)?.account,
            let topic = try tx.get(TopicRecord.self, kind: TopicRecord.kind, scope: owner, id: topicArn)
        else { return (nil, .noSuchTopic) }
        guard let policy = try? PolicyDocument.parse(topic.policy, use: .resource) else { return (nil, .denied) }
        let request = AccessRequest(
            action: "sns:Publish", resource: topicArn, principal: .service(service, account: account),
            context: ["aws:SourceArn": [sourceArn], "aws:SourceAccount": [account]])
        do {
            try Authorizer().authorize(
                request, resourcePolicy: Authorizer.ResourcePolicy(document: policy, ownerAccount: topic.account),
                in: tx)
            return (topic, .allowed)
        } catch {
            return (nil, .denied)
        }
    }

    /// Publishes `message` to the topic as the service; returns nil, or the error code SNS
    /// would have answered (`NotFound`, `AuthorizationError`).
    package func publish(
        topicArn: String, account: String, sourceArn: String, message: String, now: Date, in tx: any StateWriter
    ) throws -> String? {
        let (topic, check) = try allowedTopic(topicArn: topicArn, account: account, sourceArn: sourceArn, in: tx)
        switch check {
        case .noSuchTopic: return "NotFound"
        case .denied: return "AuthorizationError"
        case .allowed: break
        }
        guard let topic else { return "NotFound" }
        try Publisher.publish(topic: topic, subject: nil, message: { _ in message }, now: now, in: tx)
        return nil
    }
}
