import Foundation

/// SNS's HTTP/S `healthyRetryPolicy`: how long to wait before each retry of a failed
/// delivery, in the four phases AWS documents (immediate, pre-backoff at the minimum delay,
/// backoff from minimum to maximum, post-backoff at the maximum), and when to give up. The
/// backoff curves are ours: AWS documents their names and end points, not their formulas.
package struct RetryPolicy: Sendable, Equatable {
    package enum Backoff: String, Sendable {
        case linear, arithmetic, geometric, exponential
    }

    package var minDelayTarget: Double = 20
    package var maxDelayTarget: Double = 20
    package var numRetries = 3
    package var numNoDelayRetries = 0
    package var numMinDelayRetries = 0
    package var numMaxDelayRetries = 0
    package var backoffFunction = Backoff.linear

    /// SNS's default policy for HTTP/S endpoints: three retries, twenty seconds apart.
    package static let `default` = RetryPolicy()

    package init() {}

    /// Reads a `healthyRetryPolicy` object; members it does not name keep the default.
    package init(json: [String: Any]) {
        func int(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
        minDelayTarget = Double(int("minDelayTarget") ?? Int(minDelayTarget))
        maxDelayTarget = Double(int("maxDelayTarget") ?? Int(maxDelayTarget))
        numRetries = int("numRetries") ?? numRetries
        numNoDelayRetries = int("numNoDelayRetries") ?? numNoDelayRetries
        numMinDelayRetries = int("numMinDelayRetries") ?? numMinDelayRetries
        numMaxDelayRetries = int("numMaxDelayRetries") ?? numMaxDelayRetries
        if let name = json["backoffFunction"] as? String, let function = Backoff(rawValue: name) {
            backoffFunction = function
        }
    }

    /// The policy for one subscription: its own `healthyRetryPolicy`, else the topic's
    /// `http.defaultHealthyRetryPolicy`, else SNS's default.
    package static func effective(subscription: String?, topic: String?) -> RetryPolicy {
        if let object = JSONObject.parse(subscription)?["healthyRetryPolicy"] as? [String: Any] {
            return RetryPolicy(json: object)
        }
        if let http = JSONObject.parse(topic)?["http"] as? [String: Any],
            let object = http["defaultHealthyRetryPolicy"] as? [String: Any]
        {
            return RetryPolicy(json: object)
        }
        return .default
    }

    /// Seconds to wait before retry number `retry` (1-based), or nil when the policy has no
    /// retries left and the message is dropped.
    package func delay(beforeRetry retry: Int) -> Double? {
        guard retry >= 1, retry <= numRetries else { return nil }
        if retry <= numNoDelayRetries { return 0 }
        if retry <= numNoDelayRetries + numMinDelayRetries { return minDelayTarget }
        let backoffCount = numRetries - numNoDelayRetries - numMinDelayRetries - numMaxDelayRetries
        let step = retry - numNoDelayRetries - numMinDelayRetries
        guard step <= backoffCount else { return maxDelayTarget }
        guard backoffCount > 1 else { return minDelayTarget }
        let fraction = Double(step - 1) / Double(backoffCount - 1)
        let span = maxDelayTarget - minDelayTarget
        let shaped: Double
        switch backoffFunction {
        case .linear, .arithmetic: shaped = fraction
        case .geometric: shaped = fraction * fraction
        case .exponential: shaped = (pow(2, fraction * 10) - 1) / (pow(2, 10) - 1)
        }
        return (minDelayTarget + span * shaped).rounded()
    }
}

/// A JSON object given as text (delivery policies, MessageStructure json), or nil.
enum JSONObject {
    static func parse(_ text: String?) -> [String: Any]? {
        guard let data = text?.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
