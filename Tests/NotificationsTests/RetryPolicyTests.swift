import Testing

@testable import Notifications

@Suite("SNS HTTP retry policy")
struct RetryPolicyTests {
    @Test("the default policy retries three times, twenty seconds apart, then gives up")
    func defaultPolicy() {
        let policy = RetryPolicy.default
        #expect((1...3).map { policy.delay(beforeRetry: $0) } == [20, 20, 20])
        #expect(policy.delay(beforeRetry: 4) == nil)
        #expect(policy.delay(beforeRetry: 0) == nil)
    }

    @Test("immediate, pre-backoff, backoff and post-backoff phases come in that order")
    func phases() {
        let policy = RetryPolicy(json: [
            "minDelayTarget": 10, "maxDelayTarget": 50, "numRetries": 9, "numNoDelayRetries": 2,
            "numMinDelayRetries": 2, "numMaxDelayRetries": 2, "backoffFunction": "linear",
        ])
        let delays = (1...10).map { policy.delay(beforeRetry: $0) }
        #expect(delays == [0, 0, 10, 10, 10, 30, 50, 50, 50, nil])
    }

    @Test("a subscription's own policy wins over the topic's, which wins over the default")
    func effective() {
        let topic = #"{"http":{"defaultHealthyRetryPolicy":{"numRetries":5,"minDelayTarget":1,"maxDelayTarget":1}}}"#
        let subscription = #"{"healthyRetryPolicy":{"numRetries":1,"minDelayTarget":7,"maxDelayTarget":7}}"#
        #expect(RetryPolicy.effective(subscription: nil, topic: topic).numRetries == 5)
        #expect(RetryPolicy.effective(subscription: subscription, topic: topic).delay(beforeRetry: 1) == 7)
        #expect(RetryPolicy.effective(subscription: nil, topic: nil) == .default)
    }

    @Test("exponential backoff grows and stays within its bounds")
    func exponential() {
        let policy = RetryPolicy(json: [
            "minDelayTarget": 1, "maxDelayTarget": 100, "numRetries": 6, "backoffFunction": "exponential",
        ])
        let delays = (1...6).compactMap { policy.delay(beforeRetry: $0) }
        #expect(delays.first == 1 && delays.last == 100)
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
