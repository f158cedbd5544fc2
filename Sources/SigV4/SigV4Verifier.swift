import Foundation

/// Why a request's signature was refused. The server maps each case to the error code the
/// protocol's service uses.
package enum SigV4Failure: Error, Sendable, Equatable {
    /// No Authorization header and no presigned query parameters.
    case missingAuthentication
    /// The Authorization header or presigned parameters are malformed; the text says what.
    case incomplete(String)
    /// The signature does not match; carries the canonical request and string to sign.
    case mismatch(canonicalRequest: String, stringToSign: String)
    /// The request date is outside the skew window (`signed` vs `now`).
    case skewed(signed: Date, now: Date)
    /// A presigned request used after its expiry.
    case expired
    /// An S3 request without `x-amz-content-sha256`.
    case missingPayloadHash
    /// An S3 `x-amz-content-sha256` that is neither a SHA-256 nor one of S3's payload modes.
    case invalidPayloadHash(String)
    /// The declared SHA-256 is not the body's.
    case payloadHashMismatch
}

/// The signing facts a request carries, from its Authorization header or presigned query.
package struct SigV4Authorization: Sendable, Equatable {
    package var accessKeyID: String
    /// `YYYYMMDD` of the credential scope.
    package var scopeDate: String
    package var region: String
    package var service: String
    package var signedHeaders: [String]
    package var signature: String
    package var amzDate: String
    package var securityToken: String?
    package var presigned: Bool
    /// Seconds after `amzDate` that a presigned request stays valid.
    package var expires: Int?

    package var scope: String { "\(scopeDate)/\(region)/\(service)/aws4_request" }

    /// Reads the authorization from `request`; throws `.missingAuthentication` when it has none.
    package static func parse(_ request: SignableRequest) throws(SigV4Failure) -> SigV4Authorization {
        if let header = request.header("authorization") {
            return try parseHeader(header, request)
        }
        let query = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        if query["X-Amz-Algorithm"] != nil || query["X-Amz-Signature"] != nil {
            return try parsePresigned(query)
        }
        throw .missingAuthentication
    }

    private static func parseHeader(_ header: String, _ request: SignableRequest) throws(SigV4Failure)
        -> SigV4Authorization
    {
        // Read as bytes, by position: Character operations compare grapheme clusters, and the
        // generic `split` built an array of slices per level (5 % of a Describe's event-loop
        // CPU, perf).
        let bytes = Array(header.utf8)
        let whole = trimmedSpaces(bytes, 0..<bytes.count)
        let prefix = SigV4.algorithm.utf8
        guard whole.count > prefix.count, bytes[whole].starts(with: prefix),
            bytes[whole.lowerBound + prefix.count] == UInt8(ascii: " ")
        else {
            throw .incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header, and the algorithm \(SigV4.algorithm)."
            )
        }
        var credential: String?
        var signedHeaders: String?
        var signature: String?
        var position = whole.lowerBound + prefix.count + 1
        while position < whole.upperBound {
            let end = bytes[position..<whole.upperBound].firstIndex(of: UInt8(ascii: ",")) ?? whole.upperBound
            defer { position = end + 1 }
            // A part without a name or a value counts as absent, as a missing one does; a name
            // given twice counts with its last value.
            guard let equals = bytes[position..<end].firstIndex(of: UInt8(ascii: "=")), equals != position,
                equals + 1 != end
            else { continue }
            let name = bytes[trimmedSpaces(bytes, position..<equals)]
            let value = String(decoding: bytes[trimmedSpaces(bytes, (equals + 1)..<end)], as: UTF8.self)
            if name.elementsEqual("Credential".utf8) {
                credential = value
            } else if name.elementsEqual("SignedHeaders".utf8) {
                signedHeaders = value
            } else if name.elementsEqual("Signature".utf8) {
                signature = value
            }
        }
        let amzDate = request.header("x-amz-date") ?? request.header("date").flatMap(httpDateToAmz)
        guard let credential, let signedHeaders, let signature, let amzDate else {
            var missing: [String] = []
            for (name, value) in [
                ("Credential", credential), ("SignedHeaders", signedHeaders), ("Signature", signature),
            ]
            where value == nil {
                missing.append("Authorization header requires '\(name)' parameter.")
            }
            if amzDate == nil {
                missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
            }
            throw .incomplete(missing.joined(separator: " ") + " Authorization=\(SigV4.algorithm)")
        }
        return try build(
            credential: credential, signedHeaders: signedHeaders, signature: signature, amzDate: amzDate,
            token: request.header("x-amz-security-token"), presigned: false, expires: nil)
    }

    private static func parsePresigned(_ query: [String: String]) throws(SigV4Failure) -> SigV4Authorization {
        var missing: [String] = []
        for name in ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"]
        where query[name] == nil {
            missing.append(name)
        }
        guard missing.isEmpty, query["X-Amz-Algorithm"] == SigV4.algorithm, let credential = query["X-Amz-Credential"],
            let signed = query["X-Amz-SignedHeaders"], let signature = query["X-Amz-Signature"],
            let amzDate = query["X-Amz-Date"]
        else {
            throw .incomplete(
                "AWS query-string parameters must include \(missing.joined(separator: ", ")) with algorithm \(SigV4.algorithm)."
            )
        }
        var expires: Int?
        if let text = query["X-Amz-Expires"] {
            guard let seconds = Int(text), seconds >= 0, seconds <= 604_800 else {
                throw .incomplete("X-Amz-Expires must be a whole number of seconds from 0 to 604800.")
            }
            expires = seconds
        }
        return try build(
            credential: credential, signedHeaders: signed, signature: signature, amzDate: amzDate,
            token: query["X-Amz-Security-Token"], presigned: true, expires: expires)
    }

    private static func build(
        credential: String, signedHeaders: String, signature: String, amzDate: String, token: String?,
        presigned: Bool, expires: Int?
    ) throws(SigV4Failure) -> SigV4Authorization {
        let parts = fields(of: credential, separatedBy: UInt8(ascii: "/"), omittingEmpty: false)
        guard parts.count == 5, parts[4] == "aws4_request", !parts[0].isEmpty, parts[1].utf8.count == 8 else {
            throw .incomplete(
                "Credential should be scoped to a valid region, like 'us-east-1'. Credential=\(parts.first ?? "")/…")
        }
        guard Timestamps.parseAmzDate(amzDate) != nil else {
            throw .incomplete(
                "Invalid X-Amz-Date \(amzDate); it must be in ISO 8601 basic format, YYYYMMDD'T'HHMMSS'Z'.")
        }
        return SigV4Authorization(
            accessKeyID: parts[0], scopeDate: parts[1], region: parts[2], service: parts[3],
            signedHeaders: fields(of: signedHeaders, separatedBy: UInt8(ascii: ";"), omittingEmpty: true).map {
                $0.lowercased()
            }, signature: signature,
            amzDate: amzDate, securityToken: token, presigned: presigned, expires: expires)
    }

    private static func httpDateToAmz(_ text: String) -> String? {
        Timestamps.parseHTTPDate(text).map(Timestamps.amzDate)
    }

    /// Checks the signature with `secret` and the date against `now`, and says how the body is
    /// bound to it.
    ///
    /// Outside S3 the payload hash in the canonical request is always the body's own
    /// (`request.bodySHA256`, nil for an empty body). S3 signs the declared
    /// `x-amz-content-sha256`: a hex hash must be the body's (when `bodySHA256` is given), and
    /// only S3's named modes are accepted otherwise.
    ///
    /// - Parameters:
    ///   - skew: how far the request date may be from `now` (AWS allows 15 minutes).
    @discardableResult
    package func verify(
        _ request: SignableRequest, secret: String, now: Date, skew: TimeInterval = 900
    ) throws(SigV4Failure) -> VerifiedPayload {
        guard let signed = Timestamps.parseAmzDate(amzDate) else { throw .incomplete("Invalid X-Amz-Date \(amzDate).") }
        guard amzDate.hasPrefix(scopeDate) else {
            throw .incomplete(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(scopeDate)' != '\(amzDate.prefix(8))', from '\(amzDate)'."
            )
        }
        if presigned {
            if signed.timeIntervalSince(now) > skew { throw .skewed(signed: signed, now: now) }
            if now.timeIntervalSince(signed) > TimeInterval(expires ?? 604_800) { throw .expired }
        } else if abs(now.timeIntervalSince(signed)) > skew {
            throw .skewed(signed: signed, now: now)
        }
        guard signedHeaders.contains("host") else {
            throw .incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        let payload: String
        let mode: SignedPayload
        if service != "s3" {
            // Only S3 lets the client declare the payload hash: everywhere else the signature
            // covers the body itself, whatever a header claims.
            payload = request.bodySHA256 ?? SigV4.sha256Hex([UInt8]())
            mode = .hashed
        } else if presigned {
            payload = SignedPayload.unsignedPayload
            mode = .unsigned
        } else {
            guard let declared = request.header("x-amz-content-sha256") else { throw .missingPayloadHash }
            guard let declaredMode = SignedPayload.mode(declared: declared) else {
                throw .invalidPayloadHash(declared)
            }
            if declaredMode == .hashed, let actual = request.bodySHA256, actual != declared.lowercased() {
                throw .payloadHashMismatch
            }
            payload = declared
            mode = declaredMode
        }
        let canonical = SigV4.canonicalRequestBytes(
            request, service: service, signedHeaders: signedHeaders, payloadHash: payload,
            excludingQuery: presigned ? "X-Amz-Signature" : nil)
        let toSign = SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical)
        let (expected, key) = SigV4.cachedSignature(
            secret: secret, date: scopeDate, region: region, service: service, stringToSign: toSign)
        guard SigV4.equalSignatures(expected, signature.lowercased()) else {
            throw .mismatch(canonicalRequest: String(decoding: canonical, as: UTF8.self), stringToSign: toSign)
        }
        if mode == .streamingSigned {
            return .streaming(ChunkSigner(key: key, amzDate: amzDate, scope: scope, seed: signature.lowercased()))
        }
        return mode == .streamingUnsigned ? .streaming(nil) : mode == .unsigned ? .unsigned : .hashed
    }
}

extension SigV4Authorization {
    /// `range` without leading and trailing spaces and tabs — all an HTTP header pads with, and
    /// far cheaper than Foundation's `trimmingCharacters(in: .whitespaces)` on every request.
    fileprivate static func trimmedSpaces(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        let isPadding: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let start = bytes[range].firstIndex(where: { !isPadding($0) }),
            let last = bytes[range].lastIndex(where: { !isPadding($0) })
        else { return range.upperBound..<range.upperBound }
        return start..<(last + 1)
    }

    /// `text`'s fields between `separator` bytes, split by byte (header tokens are ASCII).
    fileprivate static func fields(of text: String, separatedBy separator: UInt8, omittingEmpty: Bool) -> [String] {
        var text = text
        // Read in place, by offset (indexing a String's UTF8View costs a call per step).
        return text.withUTF8 { bytes in
            var fields: [String] = []
            // Room for a credential's five fields and most requests' signed headers: growing
            // from empty reallocated three or four times (~2,600 instructions a call, callgrind).
            fields.reserveCapacity(8)
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == separator {
                if !omittingEmpty || start != index {
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                }
                start = index + 1
            }
            return fields
        }
    }
}
