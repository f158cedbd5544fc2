import NIOCore
import NIOHTTP1

/// Answers `Expect: 100-continue` with an interim `100 Continue` once the server has decided to
/// read the body (the caller was admitted), as S3 does; a refused caller gets only its error.
/// Without it a client that asks first (botocore for every file-like body, so each `aws s3 cp`
/// and boto3 upload) waits a whole second before it sends the body.
///
/// The responder says it is about to read the body of the request it is answering with
/// ``Proceed``; requests on a connection are answered in order, so that is the oldest one whose
/// answer has not ended. HTTP/1.0 requests get no 100 (RFC 9110 §10.1.1).
final class ContinueOnExpect: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The user outbound event that lets the request being answered send its body.
    struct Proceed: Sendable {}

    /// Requests whose answer has not ended, oldest first: the version to continue with while
    /// one asked and has had no 100 yet, nil otherwise.
    private var unanswered: [HTTPVersion?] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            unanswered.append(Self.asksToContinue(head) ? head.version : nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), !unanswered.isEmpty { unanswered.removeFirst() }
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Proceed else { return context.triggerUserOutboundEvent(event, promise: promise) }
        if let version = unanswered.first ?? nil {
            unanswered[0] = nil
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
        }
        promise?.succeed()
    }

    static func asksToContinue(_ head: HTTPRequestHead) -> Bool {
        (head.version.major, head.version.minor) >= (1, 1)
            && head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
    }

    /// Puts the handler right after the HTTP/1 request decoder of `channel`.
    static func add(to channel: any Channel) throws {
        let pipeline = channel.pipeline.syncOperations
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(ContinueOnExpect(), position: .after(decoder))
    }
}
