import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// HTTP(S) subscriptions: Subscribe sends a SubscriptionConfirmation; ConfirmSubscription
/// (also reachable unsigned through the message's SubscribeURL) turns it on.
struct SubscriptionOperations {
    let call: OperationCall
    let tx: any StateWriter
    let topics: TopicOperations

    func invalid(_ message: String) -> AWSError { call.error(.invalidParameterException, message) }

    /// The subscription `arn` in its topic owner's account, or NotFound.
    func subscription(_ arn: String) throws -> SubscriptionRecord {
        guard let parts = SNSService.parse(arn), arn.split(separator: ":").count == 7 else {
            throw invalid("Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1")
        }
        guard parts.account == call.account,
            let subscription = try tx.get(
                SubscriptionRecord.self, kind: SubscriptionRecord.kind, scope: parts.account, id: arn)
        else { throw call.error(.notFoundException, "Subscription does not exist") }
        return subscription
    }

    func save(_ subscription: SubscriptionRecord) throws {
        try tx.put(subscription, kind: SubscriptionRecord.kind, scope: subscription.owner, id: subscription.arn)
    }

    func subscribe() throws -> ShapeValue {
        let topic = try topics.topic(try call.required(.topicArn))
        let proto = try call.required(.`protocol`).lowercased()
        guard proto == "http" || proto == "https" else {
            throw invalid("Invalid parameter: Protocol (\(proto) is not served by this server; use http or https)")
        }
        guard let endpoint = call.string(.endpoint), let url = URL(string: endpoint), url.scheme == proto,
            url.host != nil
        else { throw invalid("Invalid parameter: Endpoint must match the specified protocol") }
        let existing = try topics.subscriptions(of: topic.arn).first { $0.protocol == proto && $0.endpoint == endpoint }
        var subscription =
            existing
            ?? SubscriptionRecord(
                arn: "\(topic.arn):\(RandomIdentifier.uuid())", topicArn: topic.arn, owner: call.account,
                protocol: proto, endpoint: endpoint, token: Self.token(), confirmed: false, rawMessageDelivery: false,
                deliveryPolicy: nil, authenticateOnUnsubscribe: false)
        for (key, value) in TopicOperations.attributes(call[.Attributes]) {
            try apply(key, value, to: &subscription)
        }
        try save(subscription)
        if !subscription.confirmed { try Publisher.confirmation(for: subscription, now: call.now, in: tx) }
        let returnArn = subscription.confirmed || call[.returnSubscriptionArn]?.boolValue == true
        return .object(["SubscriptionArn": .string(returnArn ? subscription.arn : "pending confirmation")])
    }

    /// A confirmation token: 256 hex digits, as long as AWS's.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    func apply(_ name: String, _ value: String, to subscription: inout SubscriptionRecord) throws {
        switch name {
        case "RawMessageDelivery":
            guard value == "true" || value == "false" else { throw invalid("Invalid parameter: RawMessageDelivery") }
            subscription.rawMessageDelivery = value == "true"
        case "DeliveryPolicy":
            guard value.isEmpty || JSONObject.parse(value) != nil else {
                throw invalid("Invalid parameter: DeliveryPolicy: not a JSON object")
            }
            subscription.deliveryPolicy = value.isEmpty ? nil : value
        default:
            throw invalid("Invalid parameter: AttributeName (\(name) is not served by this server)")
        }
    }

    func confirm() throws -> ShapeValue {
        let topic = try topics.topic(try call.required(.topicArn))
        let token = try call.required(.token)
        guard var subscription = try topics.subscriptions(of: topic.arn).first(where: { $0.token == token }) else {
            throw invalid("Invalid token")
        }
        if !subscription.confirmed {
            subscription.confirmed = true
            subscription.authenticateOnUnsubscribe = call.string(.authenticateOnUnsubscribe) == "true"
            try save(subscription)
        }
        return .object(["SubscriptionArn": .string(subscription.arn)])
    }

    func unsubscribe() throws -> ShapeValue {
        let subscription = try subscription(try call.required(.subscriptionArn))
        if call.principal.kind == .anonymous && subscription.authenticateOnUnsubscribe {
            throw call.error(
                .authorizationErrorException, "Unsubscribe of this subscription requires an authenticated caller")
        }
        _ = try tx.delete(kind: SubscriptionRecord.kind, scope: subscription.owner, id: subscription.arn)
        if var topic = try tx.get(
            TopicRecord.self, kind: TopicRecord.kind, scope: subscription.owner, id: subscription.topicArn)
        {
            topic.subscriptionsDeleted += 1
            try topics.save(topic)
        }
        return .object([:])
    }

    func list(topicArn: String?) throws -> ShapeValue {
        var all = try tx.list(SubscriptionRecord.self, kind: SubscriptionRecord.kind, scope: call.account)
            .filter { SNSService.parse($0.topicArn)?.region == call.region }
        if let topicArn {
            let topic = try topics.topic(topicArn)
            all = all.filter { $0.topicArn == topic.arn }
        }
        let page = TokenPage(call, all, key: \.arn)
        let rendered = page.items.map { subscription in
            ShapeValue.object([
                "SubscriptionArn": .string(subscription.confirmed ? subscription.arn : SubscriptionRecord.pending),
                "Owner": .string(subscription.owner), "Protocol": .string(subscription.protocol),
                "Endpoint": .string(subscription.endpoint), "TopicArn": .string(subscription.topicArn),
            ])
        }
        return .object(["Subscriptions": .list(rendered), "NextToken": page.nextToken.map(ShapeValue.string)])
    }

    func attributes() throws -> ShapeValue {
        let subscription = try subscription(try call.required(.subscriptionArn))
        let topic = try tx.get(
            TopicRecord.self, kind: TopicRecord.kind, scope: subscription.owner, id: subscription.topicArn)
        let effective =
            subscription.deliveryPolicy
            ?? topic?.deliveryPolicy.flatMap(Self.subscriptionPolicy) ?? Self.defaultSubscriptionPolicy
        var map: [String: ShapeValue] = [
            "SubscriptionArn": .string(subscription.arn), "TopicArn": .string(subscription.topicArn),
            "Owner": .string(subscription.owner), "Protocol": .string(subscription.protocol),
            "Endpoint": .string(subscription.endpoint),
            "PendingConfirmation": .string(subscription.confirmed ? "false" : "true"),
            "ConfirmationWasAuthenticated": .string(subscription.authenticateOnUnsubscribe ? "true" : "false"),
            "RawMessageDelivery": .string(subscription.rawMessageDelivery ? "true" : "false"),
            "EffectiveDeliveryPolicy": .string(effective),
        ]
        if let policy = subscription.deliveryPolicy { map["DeliveryPolicy"] = .string(policy) }
        return .object(["Attributes": .map(map)])
    }

    static let defaultSubscriptionPolicy =
        "{\"healthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"},\"sicklyRetryPolicy\":null,\"throttlePolicy\":null,\"requestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"},\"guaranteed\":false}"

    /// A topic's `http.defaultHealthyRetryPolicy` as a subscription's effective policy.
    static func subscriptionPolicy(_ topicPolicy: String) -> String? {
        guard let http = JSONObject.parse(topicPolicy)?["http"] as? [String: Any],
            let retry = http["defaultHealthyRetryPolicy"],
            let data = try? JSONSerialization.data(
                withJSONObject: ["healthyRetryPolicy": retry], options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func setAttribute() throws -> ShapeValue {
        var subscription = try subscription(try call.required(.subscriptionArn))
        try apply(try call.required(.attributeName), call.string(.attributeValue) ?? "", to: &subscription)
        try save(subscription)
        return .object([:])
    }
}
