import Foundation

/// AWS-shaped identifiers: `AKIA…`/`ASIA…` key ids, `AIDA…`/`AROA…` unique ids, secrets.
package enum Identifiers {
    private static let base32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    private static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    static func random(_ count: Int, from alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// A 20-character key id with the given 4-letter prefix (`AKIA`, `ASIA`).
    package static func make(_ prefix: String) -> String {
        prefix + random(16, from: base32)
    }

    /// A 21-character unique id of a user or role (`AIDA…`, `AROA…`), as IAM's are.
    package static func uniqueId(_ prefix: String) -> String {
        prefix + random(17, from: base32)
    }

    /// A 40-character secret access key.
    package static func secret() -> String {
        random(40, from: secretAlphabet)
    }

    /// An opaque session token of at least `minimumSize` bytes (STS's MinimumSessionTokenSize).
    package static func sessionToken(minimumSize: Int = 0) -> String {
        let prefix = "FwoGZXIvYXdzE"
        return prefix + random(max(300, minimumSize - prefix.utf8.count), from: secretAlphabet)
    }

    /// A random 12-digit account id.
    package static func accountId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%012llu", generator.next(upperBound: UInt64(1_000_000_000_000)))
    }
}
