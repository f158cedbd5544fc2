/// Whether a bucket takes what a service principal writes into it (CloudTrail's log files,
/// ElastiCache's exports): the bucket's policy decides.
package enum BucketAccess: Equatable, Sendable {
    case allowed
    case noSuchBucket
    /// Refused; the text says what the bucket policy lacks (for the server log).
    case denied(String)
}

/// Whether a topic takes what a service principal publishes to it.
package enum TopicAccess: Equatable, Sendable {
    case allowed
    case noSuchTopic
    case denied
}
