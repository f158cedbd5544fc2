import Foundation

/// An HTTP request to a REST-XML service (S3), with the bucket already moved into the path
/// when the request named it in the virtual host.
package struct RestRequest: Sendable {
    package var method: String
    /// `/bucket/key`: the raw (still percent-encoded) path.
    package var path: String
    /// Query parameters, percent-decoded, in order.
    package var query: [(name: String, value: String)]
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
        body: [UInt8]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    package func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// `/bucket/key/with/slashes` → (`bucket`, `key/with/slashes`), both percent-decoded.
    package var bucketAndKey: (bucket: String?, key: String?) {
        var rest = Substring(path)
        if rest.hasPrefix("/") { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return (nil, nil) }
        guard let slash = rest.firstIndex(of: "/") else { return (Self.decode(rest), nil) }
        let key = rest[rest.index(after: slash)...]
        return (Self.decode(rest[..<slash]), key.isEmpty ? nil : Self.decode(key))
    }

    static func decode(_ text: Substring) -> String {
        text.removingPercentEncoding ?? String(text)
    }
}

/// An HTTP response as the wire encodes it: status, headers and raw body.
package struct WireResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package init(status: Int, headers: [(name: String, value: String)], body: String) {
        self.init(status: status, headers: headers, body: Array(body.utf8))
    }
}
