import AWSWire
import Foundation
import ServiceContract

/// An SNS topic as the state store keeps it (kind `sns.topic`, scope the account, id the ARN).
package struct TopicRecord: Sendable, Codable, Equatable {
    package var arn: String
    package var name: String
    package var account: String
    package var region: String
    package var displayName: String
    /// The access policy (JSON); AWS's default policy when the topic is created.
    package var policy: String
    package var deliveryPolicy: String?
    /// "1" (SHA1withRSA) or "2" (SHA256withRSA).
    package var signatureVersion: String
    package var tags: [String: String]
    package var subscriptionsDeleted: Int

    static let kind = "sns.topic"

    /// AWS's default topic policy: only the owner's account may act on the topic.
    static func defaultPolicy(arn: String, account: String) -> String {
        let actions = [
            "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
            "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
        ].map { "\"\($0)\"" }.joined(separator: ",")
        return
            "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\(actions)],\"Resource\":\"\(arn)\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"\(account)\"}}}]}"
    }
}

/// A subscription of an HTTP(S) endpoint to a topic (kind `sns.subscription`, scope the
/// account, id the ARN).
package struct SubscriptionRecord: Sendable, Codable, Equatable {
    package var arn: String
    package var topicArn: String
    package var owner: String
    package var `protocol`: String
    package var endpoint: String
    /// Sent in the SubscriptionConfirmation message; ConfirmSubscription must present it.
    package var token: String
    package var confirmed: Bool
    package var rawMessageDelivery: Bool
    package var deliveryPolicy: String?
    package var authenticateOnUnsubscribe: Bool

    static let kind = "sns.subscription"
    /// What lists show instead of the ARN while a subscription waits for its confirmation.
    static let pending = "PendingConfirmation"
}

/// One message waiting to be POSTed to one subscription's endpoint (kind `sns.delivery`,
/// scope `-`, id time-ordered). It is written in the transaction that published it, so a
/// restart loses nothing; the sender signs it when it sends.
package struct PendingDelivery: Sendable, Codable, Equatable {
    package var id: String
    package var subscriptionArn: String
    package var type: String
    package var messageId: String
    package var topicArn: String
    package var subject: String?
    package var message: String
    package var timestamp: Date
    /// The confirmation token (SubscriptionConfirmation messages only).
    package var token: String?
    package var attempts: Int
    package var notBefore: Date

    static let kind = "sns.delivery"
    static let scope = "-"

    /// Ids sort in publish order: time, then a random tail.
    static func makeID(now: Date) -> String {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return String(format: "%015lld-", millis) + RandomIdentifier.uuid()
    }
}
