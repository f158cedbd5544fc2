import Foundation
import Synchronization

/// Secrets the state store keeps (secret access keys, session tokens) are sealed at rest with
/// the data directory's master key: stored as `sealed:v1:<base64 AES-GCM box>`. The server
/// installs the sealer once at start; a value stored before sealing existed reads as it is.
package enum SecretSealing {
    package struct Sealer: Sendable {
        package var seal: @Sendable ([UInt8]) throws -> Data
        package var open: @Sendable (Data) throws -> Data

        package init(
            seal: @escaping @Sendable ([UInt8]) throws -> Data, open: @escaping @Sendable (Data) throws -> Data
        ) {
            self.seal = seal
            self.open = open
        }
    }

    package struct Unavailable: Error {}

    /// Every sealer installed in this process, newest last. A server installs one; tests that
    /// open several data directories in one process install one each, and a value sealed under
    /// an earlier one still opens.
    private static let installed = Mutex<[Sealer]>([])
    static let prefix = "sealed:v1:"

    /// Seals secrets from now on (the server, at start, with its master key).
    package static func install(_ sealer: Sealer) {
        installed.withLock { $0.append(sealer) }
    }

    static func seal(_ text: String) throws -> String {
        guard let sealer = installed.withLock({ $0.last }) else { return text }
        return prefix + (try sealer.seal(Array(text.utf8))).base64EncodedString()
    }

    static func open(_ text: String) throws -> String {
        guard text.hasPrefix(prefix) else { return text }
        let sealers = installed.withLock { $0 }
        guard !sealers.isEmpty, let box = Data(base64Encoded: String(text.dropFirst(prefix.count))) else {
            throw Unavailable()
        }
        var failure: any Error = Unavailable()
        for sealer in sealers.reversed() {
            do {
                return String(decoding: try sealer.open(box), as: UTF8.self)
            } catch {
                failure = error
            }
        }
        throw failure
    }
}

/// A string stored sealed (``SecretSealing``) and read in the clear.
@propertyWrapper
package struct Sealed: Sendable, Codable, Equatable {
    package var wrappedValue: String

    package init(wrappedValue: String) {
        self.wrappedValue = wrappedValue
    }

    package init(from decoder: any Decoder) throws {
        wrappedValue = try SealedSecret(from: decoder).value
    }

    package func encode(to encoder: any Encoder) throws {
        try SealedSecret(wrappedValue).encode(to: encoder)
    }
}

/// A secret kept sealed in a stored document where a property wrapper does not fit (a list
/// of tokens, an optional one).
package struct SealedSecret: Sendable, Codable, Equatable {
    package var value: String

    package init(_ value: String) {
        self.value = value
    }

    package init(from decoder: any Decoder) throws {
        value = try SecretSealing.open(try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(try SecretSealing.seal(value))
    }
}
