import Crypto
import Foundation
import SigV4
import _CryptoExtras

/// A console password as stored: only its scrypt hash, with the salt and cost it was made with,
/// so the cost can rise later without invalidating stored passwords.
package struct PasswordHash: Sendable, Codable, Equatable {
    package var salt: Data
    package var hash: Data
    /// scrypt's N (a power of two), r and p.
    package var cost: Int
    package var blockSize: Int
    package var parallelism: Int

    /// 2^15 × 8 × 128 bytes = 32 MiB and tens of milliseconds per guess.
    package static let defaultCost = 1 << 15

    package init(password: String, cost: Int = PasswordHash.defaultCost) throws {
        var salt = Data(count: 16)
        for index in salt.indices { salt[index] = UInt8.random(in: .min ... .max) }
        self.salt = salt
        self.cost = cost
        blockSize = 8
        parallelism = 1
        hash = try Self.derive(password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism)
    }

    /// True when `password` is the one hashed; compared in constant time.
    package func matches(_ password: String) -> Bool {
        guard
            let candidate = try? Self.derive(
                password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        return SigV4.constantTimeEqual(Array(candidate), Array(hash))
    }

    /// Spent on an attempt whose user does not exist, so that a wrong user name is answered
    /// no faster than a wrong password.
    package static let decoy: PasswordHash? = try? PasswordHash(password: Identifiers.secret())

    private static func derive(_ password: String, salt: Data, cost: Int, blockSize: Int, parallelism: Int) throws
        -> Data
    {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: cost, blockSize: blockSize,
            parallelism: parallelism, maxMemory: 256 * cost * blockSize)
        return key.withUnsafeBytes { Data($0) }
    }
}

/// AWS's default password policy for IAM users (an account without a custom policy): at least
/// 8 and at most 128 characters, at least three of uppercase, lowercase, digits and symbols,
/// and not the user or account name.
package enum PasswordRules {
    package static let symbols = Set("!@#$%^&*()_+-=[]{}|'")

    /// The reason `password` is refused, or nil when it is acceptable.
    package static func violation(_ password: String, userName: String?, account: String) -> String? {
        guard password.count >= 8 else { return "Password should have at least 8 characters" }
        guard password.count <= 128 else { return "Password should have at most 128 characters" }
        var kinds = 0
        if password.contains(where: \.isUppercase) { kinds += 1 }
        if password.contains(where: \.isLowercase) { kinds += 1 }
        if password.contains(where: \.isNumber) { kinds += 1 }
        if password.contains(where: { symbols.contains($0) }) { kinds += 1 }
        guard kinds >= 3 else {
            return
                "Password should include a minimum of three of the following mix of character types: uppercase, lowercase, numbers, non-alphanumeric symbols"
        }
        if password == account || (userName.map { password.lowercased() == $0.lowercased() } ?? false) {
            return "Password should not be identical to your AWS account name or email address"
        }
        return nil
    }

    /// A password that passes the rules: 20 characters from all four kinds.
    package static func generate() -> String {
        let sets: [[Character]] = [
            Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), Array("abcdefghijkmnopqrstuvwxyz"), Array("23456789"),
            Array("!@#$%^&*()_+-="),
        ]
        var characters = sets.map { $0.randomElement() ?? "A" }
        let all = sets.flatMap { $0 }
        while characters.count < 20 { characters.append(all.randomElement() ?? "a") }
        var generator = SystemRandomNumberGenerator()
        characters.shuffle(using: &generator)
        return String(characters)
    }
}
