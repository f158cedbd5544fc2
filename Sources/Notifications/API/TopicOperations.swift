import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract

/// Topics: create, delete, list, attributes, tags, and Publish.
struct TopicOperations {
    /// AWS's quota of standard topics per account.
    static let perAccount = 100_000
    static let maxMessageBytes = 262_144

    let call: OperationCall
    let tx: any StateWriter

    func invalid(_ message: String) -> AWSError { call.error(.invalidParameterException, message) }

    /// The topic `arn` of the caller's account in the caller's region, or NotFound.
    func topic(_ arn: String) throws -> TopicRecord {
        guard let parts = SNSService.parse(arn) else { throw invalid("Invalid parameter: TopicArn") }
        guard parts.region == call.region, parts.account == call.account,
            let topic = try tx.get(TopicRecord.self, kind: TopicRecord.kind, scope: call.account, id: arn)
        else { throw call.error(.notFoundException, "Topic does not exist") }
        return topic
    }

    func save(_ topic: TopicRecord) throws {
        try tx.put(topic, kind: TopicRecord.kind, scope: topic.account, id: topic.arn)
    }

    func create() throws -> ShapeValue {
        let name = try call.required(.name)
        guard SNSService.validTopicName(name) else { throw invalid("Invalid parameter: Topic Name") }
        let arn = call.partition.arn("sns", region: call.region, account: call.account, name)
        var topic =
            try tx.get(TopicRecord.self, kind: TopicRecord.kind, scope: call.account, id: arn)
            ?? TopicRecord(
                arn: arn, name: name, account: call.account, region: call.region, displayName: "",
                policy: TopicRecord.defaultPolicy(arn: arn, account: call.account), deliveryPolicy: nil,
                signatureVersion: "2", tags: [:], subscriptionsDeleted: 0)
        for (key, value) in Self.attributes(call[.Attributes]) {
            try apply(key, value, to: &topic)
        }
        for tag in call[.tags]?.listValue ?? [] {
            if let key = tag[member: "Key"]?.stringValue { topic.tags[key] = tag[member: "Value"]?.stringValue ?? "" }
        }
        try save(topic)
        return .object(["TopicArn": .string(arn)])
    }

    static func attributes(_ value: ShapeValue?) -> [(String, String)] {
        guard case .map(let entries)? = value else { return [] }
        return entries.compactMap { key, value in value.stringValue.map { (key, $0) } }.sorted { $0.0 < $1.0 }
    }

    /// Sets one topic attribute AWS lets callers set and this server acts on.
    func apply(_ name: String, _ value: String, to topic: inout TopicRecord) throws {
        switch name {
        case "DisplayName":
            guard value.count <= 100 else { throw invalid("Invalid parameter: DisplayName") }
            topic.displayName = value
        case "Policy":
            do {
                _ = try PolicyDocument.parse(value, use: .resource)
            } catch {
                throw invalid("Invalid parameter: Policy Error: \(error)")
            }
            topic.policy = value
        case "DeliveryPolicy":
            guard value.isEmpty || JSONObject.parse(value) != nil else {
                throw invalid("Invalid parameter: DeliveryPolicy: not a JSON object")
            }
            topic.deliveryPolicy = value.isEmpty ? nil : value
        case "SignatureVersion":
            guard value == "1" || value == "2" else { throw invalid("Invalid parameter: SignatureVersion") }
            topic.signatureVersion = value
        case "FifoTopic" where value == "false":
            break
        default:
            throw invalid("Invalid parameter: AttributeName (\(name) is not served by this server)")
        }
    }

    func delete() throws -> ShapeValue {
        let arn = try call.required(.topicArn)
        // Deleting a topic of your own that does not exist is not an error; another account's
        // topic is not yours to delete (SNS says AuthorizationError, as it does for any call
        // the topic's policy does not allow).
        if let owner = SNSService.parse(arn)?.account, owner != call.account {
            throw AWSError(
                code: "AuthorizationError",
                message:
                    "User: \(call.principal.arn) is not authorized to perform: SNS:DeleteTopic on resource: \(arn)",
                httpStatus: 403)
        }
        guard let topic = try? topic(arn) else { return .object([:]) }
        for subscription in try subscriptions(of: topic.arn) {
            _ = try tx.delete(kind: SubscriptionRecord.kind, scope: topic.account, id: subscription.arn)
        }
        _ = try tx.delete(kind: TopicRecord.kind, scope: topic.account, id: topic.arn)
        return .object([:])
    }

    func subscriptions(of topicArn: String) throws -> [SubscriptionRecord] {
        try tx.list(SubscriptionRecord.self, kind: SubscriptionRecord.kind, scope: call.account)
            .filter { $0.topicArn == topicArn }
    }

    func list() throws -> ShapeValue {
        let topics = try tx.list(TopicRecord.self, kind: TopicRecord.kind, scope: call.account)
            .filter { $0.region == call.region }
        let page = TokenPage(call, topics, key: \.arn)
        return .object([
            "Topics": .list(page.items.map { .object(["TopicArn": .string($0.arn)]) }),
            "NextToken": page.nextToken.map(ShapeValue.string),
        ])
    }

    func attributes() throws -> ShapeValue {
        let topic = try topic(try call.required(.topicArn))
        let subscriptions = try subscriptions(of: topic.arn)
        var map: [String: ShapeValue] = [
            "TopicArn": .string(topic.arn), "Owner": .string(topic.account), "Policy": .string(topic.policy),
            "DisplayName": .string(topic.displayName),
            "SubscriptionsConfirmed": .string(String(subscriptions.filter(\.confirmed).count)),
            "SubscriptionsPending": .string(String(subscriptions.filter { !$0.confirmed }.count)),
            "SubscriptionsDeleted": .string(String(topic.subscriptionsDeleted)),
            "EffectiveDeliveryPolicy": .string(topic.deliveryPolicy ?? Self.defaultDeliveryPolicy),
            "SignatureVersion": .string(topic.signatureVersion),
        ]
        if let policy = topic.deliveryPolicy { map["DeliveryPolicy"] = .string(policy) }
        return .object(["Attributes": .map(map)])
    }

    static let defaultDeliveryPolicy =
        "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":false,\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"}}}"

    func setAttribute() throws -> ShapeValue {
        var topic = try topic(try call.required(.topicArn))
        try apply(try call.required(.attributeName), call.string(.attributeValue) ?? "", to: &topic)
        try save(topic)
        return .object([:])
    }

    /// Tags live on topics only (the one taggable SNS resource served here).
    func tagged() throws -> TopicRecord {
        let arn = try call.required(.resourceArn)
        do {
            return try topic(arn)
        } catch {
            throw call.error(.resourceNotFoundException, "Resource does not exist")
        }
    }

    func tag() throws -> ShapeValue {
        var topic = try tagged()
        for tag in call[.tags]?.listValue ?? [] {
            if let key = tag[member: "Key"]?.stringValue { topic.tags[key] = tag[member: "Value"]?.stringValue ?? "" }
        }
        guard topic.tags.count <= 50 else {
            throw call.error(
                .tagLimitExceededException, "Could not complete request: tag quota of per resource exceeded")
        }
        try save(topic)
        return .object([:])
    }

    func untag() throws -> ShapeValue {
        var topic = try tagged()
        for key in call[.tagKeys]?.listValue ?? [] {
            if let key = key.stringValue { topic.tags[key] = nil }
        }
        try save(topic)
        return .object([:])
    }

    func listTags() throws -> ShapeValue {
        let topic = try tagged()
        let tags = topic.tags.sorted { $0.key < $1.key }.map {
            ShapeValue.object(["Key": .string($0.key), "Value": .string($0.value)])
        }
        return .object(["Tags": .list(tags)])
    }

    func publish() throws -> ShapeValue {
        if call.string(.PhoneNumber) != nil {
            throw invalid("Invalid parameter: PhoneNumber (SMS is not served by this server)")
        }
        guard let arn = call.string(.topicArn) ?? call.string(.targetArn) else {
            throw invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
        }
        let topic = try topic(arn)
        // Topics here are standard topics: deduplication belongs to FIFO topics only.
        if call.string(.messageDeduplicationId) != nil {
            throw invalid(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
            )
        }
        var message = try call.required(.Message)
        guard !message.isEmpty else { throw invalid("Invalid parameter: Empty message") }
        guard message.utf8.count <= Self.maxMessageBytes else { throw invalid("Invalid parameter: Message too long") }
        let subject = call.string(.subject)
        if let subject {
            let printable = subject.allSatisfy { $0.isASCII && !$0.isNewline && ($0 == " " || !$0.isWhitespace) }
            guard !subject.isEmpty, subject.count <= 100, printable else { throw invalid("Invalid parameter: Subject") }
        }
        // With MessageStructure json, each protocol gets its own entry, or the default one.
        var perProtocol: [String: String] = [:]
        if call.string(.messageStructure) == "json" {
            guard let object = JSONObject.parse(message), let fallback = object["default"] as? String else {
                throw invalid("Invalid parameter: Message Structure - No default entry in JSON message body")
            }
            message = fallback
            for key in ["http", "https"] { perProtocol[key] = object[key] as? String }
        }
        let id = try Publisher.publish(
            topic: topic, subject: subject, message: { perProtocol[$0] ?? message }, now: call.now, in: tx)
        return .object(["MessageId": .string(id)])
    }
}
