import Foundation
import ServiceContract

/// An SNS topic as the state store keeps it (kind `sns.topic`, scope the account, id the ARN).
public struct TopicRecord: Sendable, Codable, Equatable {
    public var arn: String
    public var name: String
    public var account: String
    public var region: String
    public var displayName: String
    /// The access policy (JSON); AWS's default policy when the topic is created.
    public var policy: String
    public var deliveryPolicy: String?
    /// "1" (SHA1withRSA) or "2" (SHA256withRSA).
    public var signatureVersion: String
    public var tags: [String: String]
    public var subscriptionsDeleted: Int

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
public struct SubscriptionRecord: Sendable, Codable, Equatable {
    public var arn: String
    public var topicArn: String
    public var owner: String
    public var `protocol`: String
    public var endpoint: String
    /// Sent in the SubscriptionConfirmation message; ConfirmSubscription must present it.
    public var token: String
    public var confirmed: Bool
    public var rawMessageDelivery: Bool
    public var deliveryPolicy: String?
    public var authenticateOnUnsubscribe: Bool

    static let kind = "sns.subscription"
    /// What lists show instead of the ARN while a subscription waits for its confirmation.
    static let pending = "PendingConfirmation"
}

/// One message waiting to be POSTed to one subscription's endpoint (kind `sns.delivery`,
/// scope `-`, id time-ordered). It is written in the transaction that published it, so a
/// restart loses nothing; the sender signs it when it sends.
public struct PendingDelivery: Sendable, Codable, Equatable {
    public var id: String
    public var subscriptionArn: String
    public var type: String
    public var messageId: String
    public var topicArn: String
    public var subject: String?
    public var message: String
    public var timestamp: Date
    /// The confirmation token (SubscriptionConfirmation messages only).
    public var token: String?
    public var attempts: Int
    public var notBefore: Date

    static let kind = "sns.delivery"
    static let scope = "-"

    /// Ids sort in publish order: time, then a random tail.
    static func makeID(now: Date) -> String {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return String(format: "%015lld-", millis) + UUID().uuidString.lowercased()
    }
}
