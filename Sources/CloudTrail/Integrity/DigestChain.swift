import Foundation

/// One region's digest chain of a trail with log file validation: the period the next digest
/// covers, the log files delivered in it, and the digest before it (whose hash and signature
/// the next one carries).
public struct DigestChain: Sendable, Codable, Equatable {
    /// A delivered log file, as the digest lists it.
    public struct LogFile: Sendable, Codable, Equatable {
        public var bucket: String
        public var key: String
        /// Hex SHA-256 of the uncompressed file.
        public var hash: String
        public var oldestEventTime: Date
        public var newestEventTime: Date
        public var deliveredAt: Date
    }

    /// The digest written before, as the next one names it.
    public struct Previous: Sendable, Codable, Equatable {
        public var bucket: String
        public var key: String
        /// Hex SHA-256 of the uncompressed digest.
        public var hash: String
        public var signature: String
    }

    /// Start of the period the next digest covers (logging start, then the last digest's end).
    public var periodStart: Date
    public var files: [LogFile] = []
    /// Nil for the first digest after logging (re)starts.
    public var previous: Previous?

    /// Digests are hourly.
    static let period: TimeInterval = 3_600
}
