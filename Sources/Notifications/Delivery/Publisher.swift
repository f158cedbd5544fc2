import AWSWire
import Foundation
import Persistence

/// Puts messages on their way: one ``PendingDelivery`` per confirmed subscription, written
/// in the caller's transaction, so a message is queued exactly when its cause commits.
package enum Publisher {
    /// Publishes to every confirmed subscription of `topic`; returns the MessageId.
    /// `message` gives the body for a subscription's protocol.
    @discardableResult
    package static func publish(
        topic: TopicRecord, subject: String?, message: (String) -> String, now: Date, in tx: any StateWriter
    ) throws -> String {
        let messageId = RandomIdentifier.uuid()
        let subscriptions = try tx.list(SubscriptionRecord.self, kind: SubscriptionRecord.kind, scope: topic.account)
        for subscription in subscriptions where subscription.topicArn == topic.arn && subscription.confirmed {
            try enqueue(
                PendingDelivery(
                    id: PendingDelivery.makeID(now: now), subscriptionArn: subscription.arn, type: "Notification",
                    messageId: messageId, topicArn: topic.arn, subject: subject,
                    message: message(subscription.protocol), timestamp: now, token: nil, attempts: 0, notBefore: now),
                in: tx)
        }
        return messageId
    }

    /// Queues the SubscriptionConfirmation message a new HTTP(S) subscription gets first.
    static func confirmation(for subscription: SubscriptionRecord, now: Date, in tx: any StateWriter) throws {
        let text =
            "You have chosen to subscribe to the topic \(subscription.topicArn).\nTo confirm the subscription, visit the SubscribeURL included in this message."
        try enqueue(
            PendingDelivery(
                id: PendingDelivery.makeID(now: now), subscriptionArn: subscription.arn,
                type: "SubscriptionConfirmation", messageId: RandomIdentifier.uuid(),
                topicArn: subscription.topicArn, subject: nil, message: text, timestamp: now,
                token: subscription.token, attempts: 0, notBefore: now),
            in: tx)
    }

    static func enqueue(_ delivery: PendingDelivery, in tx: any StateWriter) throws {
        try tx.put(delivery, kind: PendingDelivery.kind, scope: PendingDelivery.scope, id: delivery.id)
    }
}
