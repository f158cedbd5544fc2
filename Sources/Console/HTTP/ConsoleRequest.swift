import AWSWire
import Foundation

/// One browser request to `/console…`, as the server's responder hands it over.
package struct ConsoleRequest: Sendable {
    package var method: String
    /// The path without its query.
    package var path: String
    /// The raw query string, without `?`.
    package var query: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    package var sourceIP: String
    /// True when the request came over TLS (the session cookie is then `Secure`).
    package var secure: Bool

    package init(
        method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8],
        sourceIP: String, secure: Bool
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.sourceIP = sourceIP
        self.secure = secure
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    /// The request's cookies by name (the first of each name).
    var cookies: [String: String] {
        var cookies: [String: String] = [:]
        for header in headers where header.name.lowercased() == "cookie" {
            for pair in header.value.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if cookies[name] == nil { cookies[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return cookies
    }

    /// Query parameters, decoded.
    var parameters: [String: String] { FormData.decode(query) }

    /// An `application/x-www-form-urlencoded` body, decoded.
    var form: [String: String] { FormData.decode(String(decoding: body, as: UTF8.self)) }
}

/// `application/x-www-form-urlencoded`, both ways.
enum FormData {
    static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? unescape(parts[1]) : "" }
        }
        return fields
    }

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay; everything else is percent-encoded (SigV4's rule).
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    private static func unescape(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}

/// What the console answers: the same response type the gateway uses.
package typealias ConsoleResponse = WireResponse

extension WireResponse {
    /// An HTML page, never cached, never framed, scripts and styles only from this server.
    static func html(_ body: String, status: Int = 200, cookies: [String] = []) -> WireResponse {
        var headers: [(name: String, value: String)] = [
            ("content-type", "text/html; charset=utf-8"), ("cache-control", "no-store"),
            (
                "content-security-policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            ),
            ("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"), ("referrer-policy", "same-origin"),
        ]
        for cookie in cookies { headers.append(("set-cookie", cookie)) }
        return WireResponse(status: status, headers: headers, body: body)
    }

    static func redirect(_ location: String, cookies: [String] = []) -> WireResponse {
        var headers: [(name: String, value: String)] = [("location", location), ("cache-control", "no-store")]
        for cookie in cookies { headers.append(("set-cookie", cookie)) }
        return WireResponse(status: 303, headers: headers, body: [UInt8]())
    }

    static func download(_ body: [UInt8], type: String, filename: String) -> WireResponse {
        WireResponse(
            status: 200,
            headers: [
                ("content-type", type), ("content-disposition", "attachment; filename=\"\(filename)\""),
                ("cache-control", "no-store"), ("x-content-type-options", "nosniff"),
            ], body: body)
    }
}
