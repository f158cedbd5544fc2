import Foundation

/// One region's digest chain of a trail with log file validation: the period the next digest
/// covers, the log files delivered in it, and the digest before it (whose hash and signature
/// the next one carries).
package struct DigestChain: Sendable, Codable, Equatable {
    /// A delivered log file, as the digest lists it.
    package struct LogFile: Sendable, Codable, Equatable {
        package var bucket: String
        package var key: String
        /// Hex SHA-256 of the uncompressed file.
        package var hash: String
        package var oldestEventTime: Date
        package var newestEventTime: Date
        package var deliveredAt: Date
    }

    /// The digest written before, as the next one names it.
    package struct Previous: Sendable, Codable, Equatable {
        package var bucket: String
        package var key: String
        /// Hex SHA-256 of the uncompressed digest.
        package var hash: String
        package var signature: String
    }

    /// Start of the period the next digest covers (logging start, then the last digest's end).
    package var periodStart: Date
    package var files: [LogFile] = []
    /// Nil for the first digest after logging (re)starts.
    package var previous: Previous?

    /// Digests are hourly.
    static let period: TimeInterval = 3_600
}
