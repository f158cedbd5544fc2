import AWSWire
import Foundation

/// The HTTP(S) request SNS makes for one message: the JSON document with its signature (or
/// the bare message for raw delivery) and the `x-amz-sns-*` headers.
struct MessageBody: Sendable, Equatable {
    var headers: [(String, String)]
    var body: String

    static func == (lhs: MessageBody, rhs: MessageBody) -> Bool {
        lhs.body == rhs.body && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }

    /// The URLs a message points back to, all on this server.
    struct Links: Sendable {
        var base: String

        var signingCert: String { "\(base)/_cachetrail/sns/\(SigningIdentity.certificateFile)" }

        func subscribe(topicArn: String, token: String) -> String {
            "\(base)/?Action=ConfirmSubscription&TopicArn=\(Self.encode(topicArn))&Token=\(token)"
        }

        func unsubscribe(subscriptionArn: String) -> String {
            "\(base)/?Action=Unsubscribe&SubscriptionArn=\(Self.encode(subscriptionArn))"
        }

        static func encode(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        }
    }

    /// The fields a signature covers, in the order SNS's documentation gives, as
    /// `Name\nvalue\n` pairs.
    static func stringToSign(_ fields: [String: String], type: String) -> String {
        let names =
            type == "Notification"
            ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        return names.compactMap { name in fields[name].map { "\(name)\n\($0)\n" } }.joined()
    }

    static func make(
        _ delivery: PendingDelivery, subscription: SubscriptionRecord, signatureVersion: String, links: Links,
        identity: SigningIdentity
    ) throws -> MessageBody {
        var headers = [
            ("Content-Type", "text/plain; charset=UTF-8"), ("User-Agent", "Amazon Simple Notification Service Agent"),
            ("x-amz-sns-message-type", delivery.type), ("x-amz-sns-message-id", delivery.messageId),
            ("x-amz-sns-topic-arn", delivery.topicArn),
        ]
        if delivery.type == "Notification" {
            headers.append(("x-amz-sns-subscription-arn", subscription.arn))
            if subscription.rawMessageDelivery {
                headers.append(("x-amz-sns-rawdelivery", "true"))
                return MessageBody(headers: headers, body: delivery.message)
            }
        }
        var fields: [String: String] = [
            "Type": delivery.type, "MessageId": delivery.messageId, "TopicArn": delivery.topicArn,
            "Message": delivery.message, "Timestamp": Timestamps.iso8601(delivery.timestamp, fractional: true),
        ]
        if delivery.type == "Notification" {
            fields["Subject"] = delivery.subject
        } else if let token = delivery.token {
            fields["Token"] = token
            fields["SubscribeURL"] = links.subscribe(topicArn: delivery.topicArn, token: token)
        }
        let signature = try identity.sign(stringToSign(fields, type: delivery.type), version: signatureVersion)
        var document = ShapeFields(fields.mapValues(ShapeValue.string))
        document["SignatureVersion"] = .string(signatureVersion)
        document["Signature"] = .string(signature)
        document["SigningCertURL"] = .string(links.signingCert)
        if delivery.type == "Notification" {
            document["UnsubscribeURL"] = .string(links.unsubscribe(subscriptionArn: subscription.arn))
        }
        return MessageBody(headers: headers, body: JSONWriter.write(.structure(document)))
    }
}
