import AWSWire

/// An HTTP request as the gateway sees it, independent of the HTTP server library.
package struct GatewayRequest: Sendable {
    package var method: String
    /// The raw path, still percent-encoded.
    package var path: String
    /// The raw query string, without `?`.
    package var query: String
    /// Header names in any case; `host` included.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    package var sourceIP: String

    package init(
        method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8],
        sourceIP: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.sourceIP = sourceIP
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}

/// What the gateway answers: the wire's response type.
package typealias GatewayResponse = WireResponse
