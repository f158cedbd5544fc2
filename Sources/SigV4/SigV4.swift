import Crypto
import Foundation
import Synchronization

/// An HTTP request as SigV4 sees it: the raw (still percent-encoded) path and query string.
package struct SignableRequest: Sendable {
    package var method: String
    package var path: String
    package var query: String
    /// Header names in any case; `host` must be present as a header.
    package var headers: [(name: String, value: String)]
    /// The body's SHA-256 in hex, or nil when the body was not read (presigned S3 requests).
    package var bodySHA256: String?

    package init(
        method: String, path: String, query: String, headers: [(name: String, value: String)], bodySHA256: String?
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.bodySHA256 = bodySHA256
    }

    package func header(_ name: String) -> String? {
        headers.first { SigV4.isHeader($0.name, named: name) }?.value
    }

    /// Query parameters decoded (percent and `+`), in order.
    package var queryItems: [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (SigV4.decode(parts[0]), parts.count > 1 ? SigV4.decode(parts[1]) : "")
        }
    }
}

/// AWS Signature Version 4: canonical request, string to sign and signature, computed as
/// AWS documents them (and as botocore's signer computes them).
package enum SigV4 {
    package static let algorithm = "AWS4-HMAC-SHA256"

    /// Lower-case hex, two digits a byte (every request hashes and signs a few times).
    /// Lower-case hex of `bytes`, read in place (a digest iterated as a Sequence cost ~2,000
    /// instructions per hash, callgrind).
    package static func hex(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { out in
                for (index, byte) in bytes.enumerated() {
                    out[2 * index] = hexDigit(byte >> 4)
                    out[2 * index + 1] = hexDigit(byte & 0x0F)
                }
                return bytes.count * 2
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    package static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, the rest `%XX`.
    package static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out += "/"
            default:
                let digits = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0xF)]))
            }
        }
        return out
    }

    static func decode(_ text: Substring) -> String {
        let plusFree = text.replacingOccurrences(of: "+", with: " ")
        return plusFree.removingPercentEncoding ?? plusFree
    }

    /// The canonical URI: S3 signs the path as sent; other services normalize it and encode
    /// it once more (botocore's `quote(path, safe='/~')`).
    package static func canonicalURI(_ path: String, service: String) -> String {
        let raw = path.isEmpty ? "/" : path
        if service == "s3" || raw == "/" { return raw }
        var segments: [Substring] = []
        for segment in raw.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            if segment == "." { continue }
            if segment == ".." {
                _ = segments.popLast()
                continue
            }
            segments.append(segment)
        }
        let normalized = "/" + segments.joined(separator: "/")
        return encode(normalized, keepSlash: true)
    }

    package static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        let encoded: [(String, String)] = items.map { (encode($0.name), encode($0.value)) }
        let sorted = encoded.sorted { (a: (String, String), b: (String, String)) -> Bool in
            a.0 == b.0 ? a.1 < b.1 : a.0 < b.0
        }
        return sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    package static func canonicalHeaders(_ request: SignableRequest, signed: [String]) -> String {
        var out: [UInt8] = []
        appendCanonicalHeaders(request, signed: signed, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Each signed header as `name:value,value\n`, its values trimmed and their runs of spaces
    /// and tabs folded to one space (as botocore's signer does), written as bytes.
    static func appendCanonicalHeaders(_ request: SignableRequest, signed: [String], to out: inout [UInt8]) {
        for name in signed {
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ":"))
            var first = true
            for header in request.headers where isHeader(header.name, named: name) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendFolded(header.value, to: &out)
            }
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// Whether header `name` (any case) is `lowercase`, compared as ASCII bytes: lowercasing
    /// each name to compare it allocates a string per header.
    package static func isHeader(_ name: String, named lowercase: String) -> Bool {
        let given = name.utf8
        let wanted = lowercase.utf8
        guard given.count == wanted.count else { return false }
        var at = wanted.startIndex
        for byte in given {
            let folded = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
            guard folded == wanted[at] else { return false }
            wanted.formIndex(after: &at)
        }
        return true
    }

    static func trimAll(_ value: String) -> String {
        guard value.utf8.contains(where: isSpaceOrTab) else { return value }
        var out: [UInt8] = []
        appendFolded(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func isSpaceOrTab(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// `value` without leading and trailing spaces and tabs, each inner run of them one space.
    private static func appendFolded(_ value: String, to out: inout [UInt8]) {
        var wrote = false
        var gap = false
        for byte in value.utf8 {
            if isSpaceOrTab(byte) {
                gap = wrote
                continue
            }
            if gap { out.append(UInt8(ascii: " ")) }
            gap = false
            wrote = true
            out.append(byte)
        }
    }

    package static func canonicalRequest(
        _ request: SignableRequest, service: String, signedHeaders: [String], payloadHash: String,
        excludingQuery excluded: String? = nil
    ) -> String {
        String(
            decoding: canonicalRequestBytes(
                request, service: service, signedHeaders: signedHeaders, payloadHash: payloadHash,
                excludingQuery: excluded),
            as: UTF8.self)
    }

    /// ``canonicalRequest(_:service:signedHeaders:payloadHash:excludingQuery:)`` as the bytes
    /// that are hashed, written into one buffer (every signed request builds one).
    static func canonicalRequestBytes(
        _ request: SignableRequest, service: String, signedHeaders: [String], payloadHash: String,
        excludingQuery excluded: String? = nil
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        for byte in request.method.utf8 { out.append(byte &- UInt8(ascii: "a") < 26 ? byte & ~0x20 : byte) }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: canonicalURI(request.path, service: service).utf8)
        out.append(UInt8(ascii: "\n"))
        if !request.query.isEmpty {
            out.append(contentsOf: canonicalQuery(request.queryItems.filter { $0.name != excluded }).utf8)
        }
        out.append(UInt8(ascii: "\n"))
        appendCanonicalHeaders(request, signed: signedHeaders, to: &out)
        out.append(UInt8(ascii: "\n"))
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ";")) }
            out.append(contentsOf: name.utf8)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: payloadHash.utf8)
        return out
    }

    package static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: Array(canonicalRequest.utf8))
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: [UInt8]) -> String {
        "\(algorithm)\n\(amzDate)\n\(scope)\n\(sha256Hex(canonicalRequest))"
    }

    package static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
        }
        let kDate = hmac(SymmetricKey(data: Array("AWS4\(secret)".utf8)), date)
        return hmac(hmac(hmac(kDate, region), service), "aws4_request")
    }

    /// The signature of `stringToSign` under the key of `secret` and scope, and that key
    /// (``signingKey(secret:date:region:service:)``). Keys are kept per secret and scope:
    /// deriving one takes four HMACs, and a client signs a whole day's calls to a service with
    /// the same key. Each is kept with an HMAC that has it applied already (its padded blocks
    /// hashed), which each request's signature would otherwise redo.
    package static func cachedSignature(
        secret: String, date: String, region: String, service: String, stringToSign: String
    ) -> (signature: String, key: SymmetricKey) {
        let kept = derived(secret: secret, date: date, region: region, service: service)
        var mac = kept.keyed
        mac.update(data: Array(stringToSign.utf8))
        return (hex(mac.finalize()), kept.key)
    }

    private static func derived(secret: String, date: String, region: String, service: String) -> DerivedKeys.Kept {
        let scope = DerivedKeys.Scope(secret: secret, date: date, region: region, service: service)
        if let kept = derivedKeys.withLock({ $0[scope] }) { return kept }
        let key = signingKey(secret: secret, date: date, region: region, service: service)
        let kept = DerivedKeys.Kept(key: key, keyed: HMAC<SHA256>(key: key))
        derivedKeys.withLock { keys in
            if keys.count >= DerivedKeys.capacity { keys.removeAll(keepingCapacity: true) }
            keys[scope] = kept
        }
        return kept
    }

    private static let derivedKeys = Mutex<[DerivedKeys.Scope: DerivedKeys.Kept]>([:])

    /// HMAC-SHA256 of `message` under `key`, in hex.
    package static func hmacHex(key: String, _ message: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8))))
    }

    package static func signature(key: SymmetricKey, stringToSign: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// Constant-time comparison of two hex signatures.
    package static func equalSignatures(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    /// Compares secrets (signatures, password hashes, CSRF tokens) in a time that does not
    /// tell how many leading bytes matched.
    package static func constantTimeEqual(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

private enum DerivedKeys {
    /// At most this many keys are kept; a full table starts over.
    static let capacity = 1_024

    struct Scope: Hashable {
        var secret: String
        var date: String
        var region: String
        var service: String
    }

    struct Kept {
        var key: SymmetricKey
        /// An HMAC with `key` applied, copied for each signature.
        var keyed: HMAC<SHA256>
    }
}
