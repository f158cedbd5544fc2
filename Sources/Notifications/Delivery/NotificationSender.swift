import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Persistence
import Synchronization

/// The background side of SNS: each pass POSTs the messages whose time has come to their
/// HTTP(S) endpoints, signed, and settles each attempt in the state store: delivered
/// messages leave the queue, failed ones wait out the subscription's retry policy on the
/// injected clock, and a message out of retries is dropped, as SNS drops it.
package final class NotificationSender: Sendable {
    let store: any StateStore
    let directory: String
    let now: @Sendable () -> Date
    let logger: Logger
    /// This server's base URL (`http://127.0.0.1:4577`), known once the port is bound.
    let baseURL: @Sendable () -> String
    private let identity = Mutex<SigningIdentity?>(nil)
    private let serial = SerialPasses()

    /// Messages sent per pass, at most.
    static let batch = 100
    /// SNS waits at most 15 seconds for an HTTP(S) endpoint to answer.
    static let timeout: TimeInterval = 15

    package init(
        store: any StateStore, directory: String, now: @escaping @Sendable () -> Date, logger: Logger,
        baseURL: @escaping @Sendable () -> String
    ) {
        self.store = store
        self.directory = directory
        self.now = now
        self.logger = logger
        self.baseURL = baseURL
    }

    /// The signing identity, loaded or made on first use (not at start-up: making a key takes time).
    package func signingIdentity() throws -> SigningIdentity {
        try identity.withLock { held in
            if let held { return held }
            let loaded = try SigningIdentity.loadOrCreate(directory: directory, now: Date())
            held = loaded
            return loaded
        }
    }

    /// One pass; returns the number of messages the endpoints accepted. Passes run one at a
    /// time (the periodic tick and a manual clock's advance never send one message twice).
    @discardableResult
    package func runOnce() async -> Int {
        await serial.run { await self.pass() }
    }

    private func pass() async -> Int {
        let now = self.now()
        do {
            let due = try await store.read { tx in
                try tx.list(PendingDelivery.self, kind: PendingDelivery.kind, scope: PendingDelivery.scope)
                    .filter { $0.notBefore <= now }.prefix(Self.batch).map { $0 }
            }
            guard !due.isEmpty else { return 0 }
            let identity = try signingIdentity()
            let links = MessageBody.Links(base: baseURL())
            var down: Set<String> = []
            var sent = 0
            for delivery in due {
                let target = try await store.read { tx in try Self.target(of: delivery, in: tx) }
                guard let (subscription, topic) = target else {
                    try await settle(delivery, delivered: true, policy: .default, now: now)
                    continue
                }
                // One unreachable endpoint is not tried again within the same pass.
                if down.contains(subscription.endpoint) { continue }
                let message = try MessageBody.make(
                    delivery, subscription: subscription, signatureVersion: topic?.signatureVersion ?? "2",
                    links: links, identity: identity)
                let delivered = await post(message, to: subscription.endpoint)
                if !delivered { down.insert(subscription.endpoint) }
                let policy = RetryPolicy.effective(
                    subscription: subscription.deliveryPolicy, topic: topic?.deliveryPolicy)
                try await settle(delivery, delivered: delivered, policy: policy, now: now)
                if delivered { sent += 1 }
            }
            return sent
        } catch {
            logger.error("notification pass failed", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }

    /// The subscription a message is for and its topic; nil when the subscription is gone.
    static func target(of delivery: PendingDelivery, in tx: any StateReader) throws -> (
        SubscriptionRecord, TopicRecord?
    )? {
        guard let owner = SNSService.parse(delivery.subscriptionArn)?.account,
            let subscription = try tx.get(
                SubscriptionRecord.self, kind: SubscriptionRecord.kind, scope: owner, id: delivery.subscriptionArn)
        else { return nil }
        let topic = try tx.get(TopicRecord.self, kind: TopicRecord.kind, scope: owner, id: subscription.topicArn)
        return (subscription, topic)
    }

    /// POSTs one message; true when the endpoint answered 2xx within the timeout.
    func post(_ message: MessageBody, to endpoint: String) async -> Bool {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        for (name, value) in message.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: message.body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(Self.timeout)))
            // The answer's body is not read by SNS; drained so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (200..<300).contains(response.status.code)
        } catch {
            return false
        }
    }

    /// Takes a delivered message off the queue, or schedules its next attempt.
    func settle(_ delivery: PendingDelivery, delivered: Bool, policy: RetryPolicy, now: Date) async throws {
        let logger = self.logger
        try await store.write { tx in
            guard
                var queued = try tx.get(
                    PendingDelivery.self, kind: PendingDelivery.kind, scope: PendingDelivery.scope, id: delivery.id)
            else { return }
            queued.attempts += 1
            if !delivered, let wait = policy.delay(beforeRetry: queued.attempts) {
                queued.notBefore = now.addingTimeInterval(wait)
                try tx.put(queued, kind: PendingDelivery.kind, scope: PendingDelivery.scope, id: queued.id)
                return
            }
            _ = try tx.delete(kind: PendingDelivery.kind, scope: PendingDelivery.scope, id: queued.id)
            if !delivered {
                logger.warning(
                    "notification dropped after its retries",
                    metadata: ["subscription": .string(queued.subscriptionArn), "attempts": "\(queued.attempts)"])
            }
        }
        Counter(label: "cachetrail_sns_deliveries_total", dimensions: [("outcome", delivered ? "delivered" : "failed")])
            .increment()
    }
}
