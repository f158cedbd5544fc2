import Foundation

/// Checks the signatures an aws-chunked body carries, chunk by chunk (SigV4 streaming).
package protocol ChunkVerifier {
    /// Whether `signature` (nil when the chunk carries none) is the one `bytes` must carry.
    mutating func accept(chunk bytes: ArraySlice<UInt8>, signature: String?) -> Bool
    /// Whether `signature` is the one the trailing headers (`name:value\n` each) must carry.
    mutating func accept(trailer canonical: String, signature: String?) -> Bool
}

/// Decodes `Content-Encoding: aws-chunked` bodies, as the SDKs send streaming uploads:
/// `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n … 0\r\n<trailer>:<value>\r\n\r\n`.
package enum AWSChunked {
    package struct Decoded: Sendable, Equatable {
        package var body: [UInt8]
        /// Trailing headers (`x-amz-checksum-crc32` …), names lower-cased.
        package var trailers: [String: String]
    }

    /// Decodes `bytes`; with a `verifier`, every chunk (the final empty one included) and the
    /// trailer must carry the signature it expects.
    package static func decode(_ bytes: [UInt8], verifier: (any ChunkVerifier)? = nil) throws(AWSError) -> Decoded {
        let malformed = AWSError(code: "IncompleteBody", message: "The request body is not valid aws-chunked encoding.")
        let forged = AWSError(
            code: "SignatureDoesNotMatch",
            message:
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            httpStatus: 403)
        var verifier = verifier
        var index = 0
        func line() throws(AWSError) -> String {
            var end = index
            while end + 1 < bytes.count, !(bytes[end] == 13 && bytes[end + 1] == 10) { end += 1 }
            guard end + 1 < bytes.count else { throw malformed }
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 2
            return text
        }
        var body: [UInt8] = []
        while true {
            let header = try line()
            let fields = header.split(separator: ";", maxSplits: 1)
            guard let size = Int(fields.first ?? "", radix: 16), size >= 0 else { throw malformed }
            let signature = fields.count > 1 ? Self.chunkSignature(fields[1]) : nil
            guard index + size <= bytes.count else { throw malformed }
            let chunk = bytes[index..<index + size]
            if verifier?.accept(chunk: chunk, signature: signature) == false { throw forged }
            if size == 0 { break }
            guard index + size + 2 <= bytes.count, bytes[index + size] == 13, bytes[index + size + 1] == 10 else {
                throw malformed
            }
            body.append(contentsOf: chunk)
            index += size + 2
        }
        var trailers: [String: String] = [:]
        var canonical = ""
        var trailerSignature: String?
        while index < bytes.count {
            let trailer = try line()
            if trailer.isEmpty { break }
            guard let colon = trailer.firstIndex(of: ":") else { throw malformed }
            let name = trailer[..<colon].lowercased()
            let value = String(trailer[trailer.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name == "x-amz-trailer-signature" {
                trailerSignature = value
            } else {
                trailers[name] = value
                canonical += "\(name):\(value)\n"
            }
        }
        if !canonical.isEmpty || trailerSignature != nil,
            verifier?.accept(trailer: canonical, signature: trailerSignature) == false
        {
            throw forged
        }
        return Decoded(body: body, trailers: trailers)
    }

    private static func chunkSignature(_ extensions: Substring) -> String? {
        for field in extensions.split(separator: ";") {
            let pair = field.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == "chunk-signature" { return String(pair[1]) }
        }
        return nil
    }
}
