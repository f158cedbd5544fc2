import AWSWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage plus the peer's address.
public struct CacheTrailRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Routes `/_cachetrail/*` to the server's own endpoints and everything else to the gateway.
struct CacheTrailResponder: HTTPResponder {
    let gateway: Gateway
    let endpoints: InternalEndpoints
    let maxBodyBytes: Int
    let clientAddress: ClientAddress

    func respond(to request: Request, context: CacheTrailRequestContext) async throws -> Response {
        let rawPath = request.head.path ?? "/"
        let parts = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? String(parts[1]) : ""
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            return Self.response(
                GatewayResponse(
                    status: 413, headers: [("content-type", "text/xml")],
                    body:
                        "<ErrorResponse><Error><Type>Sender</Type><Code>RequestEntityTooLarge</Code><Message>Request body must be at most \(maxBodyBytes) bytes.</Message></Error></ErrorResponse>"
                ))
        }
        if path.hasPrefix("/_cachetrail/") {
            return Self.response(
                await endpoints.respond(method: request.method.rawValue, path: path, body: Array(buffer: body)))
        }
        var headers: [(name: String, value: String)] = []
        if let authority = request.head.authority { headers.append(("host", authority)) }
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        let sourceIP = clientAddress.resolve(
            peer: context.remoteAddress?.ipAddress ?? "127.0.0.1",
            forwardedFor: headers.first { $0.name.lowercased() == "x-forwarded-for" }?.value)
        let gatewayRequest = GatewayRequest(
            method: request.method.rawValue, path: path, query: query, headers: headers, body: Array(buffer: body),
            sourceIP: sourceIP)
        return Self.response(
            await gateway.respond(to: gatewayRequest, logger: context.logger), head: request.method == .head)
    }

    /// The HTTP response; HEAD answers keep their Content-Length but send no body.
    static func response(_ answer: GatewayResponse, head: Bool = false) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
