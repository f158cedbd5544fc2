import AWSWire
import SigV4

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
    /// Whether a trusted proxy says it took this request over TLS.
    package var secure = false
    /// The SigV4 authorization parsed from the head, kept so the three readers of it (admission,
    /// the wire-format guess, authentication) parse it once: ``parseSignature()``.
    private var parsedSignature: Result<SigV4Authorization, SigV4Failure>?

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
        headers.first { SigV4.isHeader($0.name, named: name) }?.value
    }

    /// The SigV4 authorization of the head (Authorization header or presigned query): the one
    /// ``parseSignature()`` kept, else parsed now. It does not depend on the body.
    var signature: Result<SigV4Authorization, SigV4Failure> {
        if let parsedSignature { return parsedSignature }
        let signable = SignableRequest(method: method, path: path, query: query, headers: headers, bodySHA256: nil)
        return Result { () throws(SigV4Failure) in try SigV4Authorization.parse(signable) }
    }

    /// Parses the head's authorization once, for every later reader of ``signature``.
    package mutating func parseSignature() {
        parsedSignature = signature
    }
}

/// What the gateway answers: the wire's response type.
package typealias GatewayResponse = WireResponse
