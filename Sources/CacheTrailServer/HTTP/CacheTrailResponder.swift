import AWSWire
import Console
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage plus the peer's address and the connection.
package struct CacheTrailRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?
    /// Told when the body is about to be read (``ContinueOnExpect``).
    let channel: any Channel

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}

/// Routes `/_cachetrail/*` to the server's own endpoints, `/console…` to the web console and
/// everything else to the gateway.
struct CacheTrailResponder: HTTPResponder {
    let gateway: Gateway
    let console: ConsoleApp
    let endpoints: InternalEndpoints
    let maxBodyBytes: Int
    let clientAddress: ClientAddress
    /// How long a request's body may take to arrive (swept by the server's background service).
    let bodyDeadlines: BodyDeadlines

    func respond(to request: Request, context: CacheTrailRequestContext) async throws -> Response {
        do {
            return try await route(request, context: context)
        } catch is BodyTimeout {
            return Self.response(Self.requestTimeout)
        }
    }

    private func route(_ request: Request, context: CacheTrailRequestContext) async throws -> Response {
        let rawPath = request.head.path ?? "/"
        let parts = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? String(parts[1]) : ""
        var request = request
        if path.hasPrefix("/_cachetrail/") {
            guard
                let body = try await body(of: &request, limit: 1 << 20, context: context)
            else {
                return Self.response(Self.tooLarge(1 << 20))
            }
            return Self.response(
                await endpoints.respond(method: request.method.rawValue, path: path, body: body))
        }
        // Canonical names are lowercase.
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 1)
        if let authority = request.head.authority { headers.append(("host", authority)) }
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        let peer = context.remoteAddress?.ipAddress ?? "127.0.0.1"
        let sourceIP = clientAddress.resolve(
            peer: peer, forwardedFor: headers.first { $0.name == "x-forwarded-for" }?.value)
        // The server speaks plain HTTP; a trusted proxy says when it took TLS.
        let secure =
            clientAddress.isTrusted(peer)
            && headers.first { $0.name == "x-forwarded-proto" }?.value.lowercased() == "https"
        if path == "/console" || path.hasPrefix("/console/") {
            // Forms and links only: 64 KiB is ample.
            guard
                let body = try await body(of: &request, limit: 64 << 10, context: context)
            else {
                return Self.response(Self.tooLarge(64 << 10))
            }
            return Self.response(
                await console.respond(
                    ConsoleRequest(
                        method: request.method.rawValue, path: path, query: query, headers: headers,
                        body: body, sourceIP: sourceIP,
                        secure: secure)))
        }
        var gatewayRequest = GatewayRequest(
            method: request.method.rawValue, path: path, query: query, headers: headers, body: [], sourceIP: sourceIP)
        gatewayRequest.secure = secure
        gatewayRequest.parseSignature()
        // Authenticate from the head first: a body is held only for a caller who may send it.
        let limit: Int
        let admitted: Gateway.Admitted?
        switch await gateway.admit(gatewayRequest, maxBodyBytes: maxBodyBytes, logger: context.logger) {
        case .refuse(let answer): return Self.response(answer, head: request.method == .head)
        case .read(let allowed, let caller):
            limit = allowed
            admitted = caller
        }
        if let declared = Self.declaredLength(request.headers), declared > limit {
            return Self.response(Self.tooLarge(limit))
        }
        guard
            let body = try await body(of: &request, limit: limit, context: context)
        else {
            return Self.response(Self.tooLarge(limit))
        }
        gatewayRequest.body = body
        return Self.response(
            await gateway.respond(to: gatewayRequest, logger: context.logger, admitted: admitted),
            head: request.method == .head)
    }

    /// The body did not arrive within the deadlines' timeout.
    struct BodyTimeout: Error {}

    /// S3's answer to a body that stopped arriving (its error list: RequestTimeout, 400 Bad
    /// Request); the connection, whose input was closed, ends after it.
    static let requestTimeout = GatewayResponse(
        status: 400, headers: [("content-type", "application/xml"), ("connection", "close")],
        body:
            "<Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period.</Message></Error>"
    )

    /// The request's body on its connection: a stalled read is ended by closing the
    /// connection's input (the HTTP decoder sees its end mid-body and fails the body stream),
    /// which leaves the output open for the answer.
    private func body(of request: inout Request, limit: Int, context: CacheTrailRequestContext) async throws
        -> [UInt8]?
    {
        try await Self.body(
            of: &request, limit: limit, deadlines: bodyDeadlines, channel: context.channel,
            expire: { [channel = context.channel] in channel.close(mode: .input, promise: nil) })
    }

    /// The body's declared length: nil without one Content-Length that is a number. Not
    /// `headers[.contentLength]`, which joins the values through the standard library's
    /// unspecialized `joined(separator:)`: ~3,700 instructions a call, twice a request.
    static func declaredLength(_ headers: HTTPFields) -> Int? {
        let values = headers[values: .contentLength]
        guard values.count == 1, let value = values.first else { return nil }
        return Int(value)
    }

    /// The body, at most `limit` bytes (nil when it is larger, or the client went away), read
    /// within the deadlines' timeout: a client that trickles its body does not hold a request
    /// (and a shutdown) forever. `expire` ends a read that the deadline overtakes.
    ///
    /// Read in the request's own task: a task group of the read and a wait on the deadline cost
    /// two child tasks and their executor hops per call (~28,000 instructions a create).
    /// Read straight into one array sized by Content-Length: collecting a ByteBuffer that
    /// doubles and then copying it out wrote a large upload into fresh memory twice more, each
    /// in one step on the thread the call runs on (tens of ms per 64 MiB that no other call could use).
    /// A client that sent `Expect: 100-continue` is told to go on here, once the body is wanted.
    static func body(
        of request: inout Request, limit: Int, deadlines: BodyDeadlines, channel: (any Channel)?,
        expire: @escaping @Sendable () -> Void
    ) async throws -> [UInt8]? {
        if request.headers[.expect] != nil {
            channel?.triggerUserOutboundEvent(ContinueOnExpect.Proceed(), promise: nil)
        }
        let declared = Self.declaredLength(request.headers) ?? 0
        // A declared length is the client's word: reserve no more than this ahead of the bytes.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(0, min(declared, limit, 64 << 20)))
        let watch = deadlines.watch(expire: expire)
        var whole = false
        var tooLarge = false
        do {
            for try await chunk in request.body {
                guard bytes.count + chunk.readableBytes <= limit else {
                    tooLarge = true
                    break
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
            whole = !tooLarge
        } catch {}
        let inTime = deadlines.end(watch)
        // A body read whole is answered even if the sweep overtook its last bytes.
        if whole { return bytes }
        if !inTime && !tooLarge { throw BodyTimeout() }
        return nil
    }

    static func tooLarge(_ limit: Int) -> GatewayResponse {
        GatewayResponse(
            status: 413, headers: [("content-type", "text/xml")],
            body:
                "<ErrorResponse><Error><Type>Sender</Type><Code>RequestEntityTooLarge</Code><Message>Request body must be at most \(limit) bytes.</Message></Error></ErrorResponse>"
        )
    }

    /// The HTTP response; HEAD answers keep their Content-Length but send no body.
    static func response(_ answer: GatewayResponse, head: Bool = false) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: head ? ResponseBody() : responseBody(answer.body))
    }

    /// Bodies of more than this are written in pieces of this size.
    static let piece = 1 << 20

    /// A large body goes out a piece at a time, each written once the socket takes the one
    /// before: copying all of it into one ByteBuffer first faulted in (and zeroed) as much fresh
    /// memory again as the body, the largest cost of a 64 MiB GetObject.
    static func responseBody(_ bytes: [UInt8]) -> ResponseBody {
        guard bytes.count > piece else { return ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)) }
        return ResponseBody(contentLength: bytes.count) { writer in
            for start in stride(from: 0, to: bytes.count, by: piece) {
                try await writer.write(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + piece)]))
            }
            try await writer.finish(nil)
        }
    }
}
