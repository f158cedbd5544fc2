import Crypto
import Foundation

/// The payload modes S3 names in `x-amz-content-sha256`: a hex SHA-256 of the body, or one of
/// S3's literal values. Other services always sign the body's own hash.
package enum SignedPayload: Sendable, Equatable {
    /// The canonical request carries the body's SHA-256.
    case hashed
    /// `UNSIGNED-PAYLOAD`: the body is not covered (presigned URLs, S3 over TLS).
    case unsigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: an aws-chunked body, each chunk signed.
    case streamingSigned
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an aws-chunked body without chunk signatures.
    case streamingUnsigned

    package static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The mode a declared `x-amz-content-sha256` names, or nil when it names none S3 accepts.
    /// ECDSA (SigV4a) streaming is not served: it names no mode here.
    package static func mode(declared: String) -> SignedPayload? {
        switch declared {
        case unsignedPayload: return .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
            return .streamingSigned
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": return .streamingUnsigned
        default:
            return declared.utf8.count == 64 && declared.allSatisfy(\.isHexDigit) ? .hashed : nil
        }
    }
}

/// How a verified request's body is bound to its signature.
package enum VerifiedPayload: Sendable {
    /// The signature covers the body's hash (checked), or nothing of it (`UNSIGNED-PAYLOAD`).
    case hashed, unsigned
    /// The body is aws-chunked; with a signer, each chunk's signature must continue the chain.
    case streaming(ChunkSigner?)
}

/// Verifies the signature chain of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body: each chunk's
/// signature covers its bytes and the previous signature, starting from the request's own;
/// a trailer's signature (`x-amz-trailer-signature`) covers the trailing headers.
package struct ChunkSigner: Sendable {
    let key: SymmetricKey
    let amzDate: String
    let scope: String
    /// The signature the next chunk must chain from.
    package private(set) var previous: String

    private static let emptyHash = SigV4.sha256Hex([UInt8]())

    package init(key: SymmetricKey, amzDate: String, scope: String, seed: String) {
        self.key = key
        self.amzDate = amzDate
        self.scope = scope
        self.previous = seed
    }

    /// The signature the chunk `bytes` must carry; advances the chain.
    package mutating func next(chunk bytes: some DataProtocol) -> String {
        let toSign = [
            "AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, Self.emptyHash, SigV4.sha256Hex(bytes),
        ].joined(separator: "\n")
        previous = SigV4.signature(key: key, stringToSign: toSign)
        return previous
    }

    /// The signature the trailing headers must carry; `canonical` is `name:value\n` per header.
    package mutating func next(trailer canonical: String) -> String {
        let toSign = [
            "AWS4-HMAC-SHA256-TRAILER", amzDate, scope, previous, SigV4.sha256Hex(Array(canonical.utf8)),
        ].joined(separator: "\n")
        previous = SigV4.signature(key: key, stringToSign: toSign)
        return previous
    }
}
