import AWSWire

/// An HTTP request as the gateway sees it, independent of the HTTP server library.
public struct GatewayRequest: Sendable {
    public var method: String
    /// The raw path, still percent-encoded.
    public var path: String
    /// The raw query string, without `?`.
    public var query: String
    /// Header names in any case; `host` included.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var sourceIP: String

    public init(
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

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}

/// What the gateway answers: the wire's response type.
public typealias GatewayResponse = WireResponse
