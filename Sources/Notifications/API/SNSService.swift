import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// SNS (Query, 2010-03-31): topics, HTTP(S) subscriptions, Publish and tags. Other
/// operations (mobile push, SMS, data protection, permissions) answer `InvalidAction`.
package struct SNSService: ServiceHandler {
    package let model = ServiceModel.sns
    package init() {}

    /// The account's topics in `region`, with their tags.
    package func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource] {
        try tx.list(TopicRecord.self, kind: TopicRecord.kind, scope: account).filter { $0.region == region }
            .map { TaggedResource(arn: $0.arn, tags: $0.tags) }
    }

    /// Publish and PublishBatch to a topic (or a platform endpoint) are data events, as CloudTrail
    /// logs them (`AWS::SNS::Topic`); a Publish to a phone number names no resource and stays a
    /// management event.
    package func isDataEvent(_ operation: OperationModel) -> Bool {
        operation.name == "Publish" || operation.name == "PublishBatch"
    }

    package func dataResources(for call: OperationCall) -> [DataResource] {
        // The record names the resource's owner (the ARN's account), as CloudTrail's SNS records do.
        func owned(_ type: String, _ arn: String) -> [DataResource] {
            let account = arn.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first
            return [DataResource(type: type, arn: arn, accountId: account.map(String.init))]
        }
        if let topic = call.string(.topicArn) { return owned("AWS::SNS::Topic", topic) }
        if let target = call.string(.targetArn) { return owned("AWS::SNS::PlatformEndpoint", target) }
        return []
    }

    package func resource(for call: OperationCall) -> String? {
        if let arn = call.string(.topicArn) ?? call.string(.resourceArn) ?? call.string(.targetArn) {
            return arn
        }
        if let arn = call.string(.subscriptionArn) { return arn }
        if let name = call.string(.name) {
            return call.partition.arn("sns", region: call.region, account: call.account, name)
        }
        return call.partition.arn("sns", region: call.region, account: call.account, "*")
    }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let topics = TopicOperations(call: call, tx: tx)
        let subscriptions = SubscriptionOperations(call: call, tx: tx, topics: topics)
        switch call.operation.name {
        case "CreateTopic": return try topics.create()
        case "DeleteTopic": return try topics.delete()
        case "ListTopics": return try topics.list()
        case "GetTopicAttributes": return try topics.attributes()
        case "SetTopicAttributes": return try topics.setAttribute()
        case "TagResource": return try topics.tag()
        case "UntagResource": return try topics.untag()
        case "ListTagsForResource": return try topics.listTags()
        case "Publish": return try topics.publish()
        case "Subscribe": return try subscriptions.subscribe()
        case "ConfirmSubscription": return try subscriptions.confirm()
        case "Unsubscribe": return try subscriptions.unsubscribe()
        case "ListSubscriptions": return try subscriptions.list(topicArn: nil)
        case "ListSubscriptionsByTopic": return try subscriptions.list(topicArn: try call.required(.topicArn))
        case "GetSubscriptionAttributes": return try subscriptions.attributes()
        case "SetSubscriptionAttributes": return try subscriptions.setAttribute()
        default: throw AWSError.invalidAction(call.operation.name)
        }
    }

    /// Topic names: 1 to 256 ASCII letters, digits, hyphens and underscores.
    package static func validTopicName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.count <= 256
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// `arn:PARTITION:sns:REGION:ACCOUNT:NAME[:ID]` split into its parts, or nil.
    package static func parse(_ arn: String) -> (region: String, account: String, name: String)? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // The region and account become part of events and log-file keys: real names only.
        guard parts.count >= 6, parts[0] == "arn", parts[2] == "sns", Partition.allRegions.contains(parts[3]),
            parts[1] == Partition(region: parts[3]).rawValue,
            parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            return nil
        }
        return (parts[3], parts[4], parts[5])
    }
}

/// A page of up to 100 items after `NextToken` (the last item's key of the previous page).
struct TokenPage<T> {
    var items: [T]
    var nextToken: String?

    init(_ call: OperationCall, _ all: [T], key: (T) -> String) {
        let sorted = all.sorted { key($0) < key($1) }
        let start = call.string(.NextToken).map { token in sorted.filter { key($0) > token } } ?? sorted
        items = Array(start.prefix(100))
        nextToken = start.count > 100 ? items.last.map(key) : nil
    }
}
