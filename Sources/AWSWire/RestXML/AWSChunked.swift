import Foundation

/// Decodes `Content-Encoding: aws-chunked` bodies, as the SDKs send streaming uploads:
/// `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n … 0\r\n<trailer>:<value>\r\n\r\n`.
public enum AWSChunked {
    public struct Decoded: Sendable, Equatable {
        public var body: [UInt8]
        /// Trailing headers (`x-amz-checksum-crc32` …), names lower-cased.
        public var trailers: [String: String]
    }

    public static func decode(_ bytes: [UInt8]) throws(AWSError) -> Decoded {
        let malformed = AWSError(code: "IncompleteBody", message: "The request body is not valid aws-chunked encoding.")
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
            guard let size = Int(header.split(separator: ";").first ?? "", radix: 16), size >= 0 else {
                throw malformed
            }
            if size == 0 { break }
            guard index + size + 2 <= bytes.count, bytes[index + size] == 13, bytes[index + size + 1] == 10 else {
                throw malformed
            }
            body.append(contentsOf: bytes[index..<index + size])
            index += size + 2
        }
        var trailers: [String: String] = [:]
        while index < bytes.count {
            let trailer = try line()
            if trailer.isEmpty { break }
            guard let colon = trailer.firstIndex(of: ":") else { throw malformed }
            trailers[trailer[..<colon].lowercased()] = String(trailer[trailer.index(after: colon)...])
                .trimmingCharacters(in: .whitespaces)
        }
        return Decoded(body: body, trailers: trailers)
    }
}
