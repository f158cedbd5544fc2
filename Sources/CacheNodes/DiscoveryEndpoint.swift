import Foundation
import NIOCore
import NIOPosix

/// A memcached cluster's configuration endpoint, as ElastiCache serves it: `config get cluster`
/// (and the legacy `get AmazonElastiCache:cluster`) answer the node list and its version in
/// AWS's format; any other command turns the connection into a plain proxy to the first node.
final class DiscoveryEndpoint: Sendable {
    /// What the endpoint answers: the configuration version and each node's host and port.
    typealias Configuration = @Sendable () -> (version: Int, nodes: [(host: String, port: Int)])

    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(
        group: any EventLoopGroup, host: String, port: Int, configuration: @escaping Configuration
    ) async throws -> DiscoveryEndpoint {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DiscoveryHandler(configuration: configuration))
                }
            }
            .bind(host: host, port: port).get()
        return DiscoveryEndpoint(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }

    /// The answer to `config get cluster`: `CONFIG cluster 0 <bytes>`, the version, the nodes
    /// as `host|ip|port` separated by spaces, then `END`.
    static func answer(version: Int, nodes: [(host: String, port: Int)], legacy: Bool) -> String {
        let list = nodes.map { "\($0.host)|\($0.host)|\($0.port)" }.joined(separator: " ")
        let body = "\(version)\n\(list)\n"
        let header =
            legacy ? "VALUE AmazonElastiCache:cluster 0 \(body.utf8.count)" : "CONFIG cluster 0 \(body.utf8.count)"
        return "\(header)\r\n\(body)\r\nEND\r\n"
    }
}

/// One client connection: discovery lines answered here; from the first other command on,
/// every byte goes to the first node and back. Unchecked Sendable: NIO calls it, and the node
/// connection completes, on the connection's own event loop only.
private final class DiscoveryHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let configuration: DiscoveryEndpoint.Configuration
    private var pending: ByteBuffer?
    private var node: (any Channel)?
    private var connecting = false

    init(configuration: @escaping DiscoveryEndpoint.Configuration) {
        self.configuration = configuration
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if let node {
            node.writeAndFlush(bytes, promise: nil)
            return
        }
        if connecting {
            pending?.writeBuffer(&bytes)
            return
        }
        if pending == nil { pending = bytes } else { pending?.writeBuffer(&bytes) }
        // Answer whole discovery lines; anything else switches to forwarding.
        while var buffer = pending, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex + 1
            let line =
                buffer.getString(at: buffer.readerIndex, length: length)?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let legacy = line == "get AmazonElastiCache:cluster"
            guard line == "config get cluster" || legacy else {
                forward(context: context)
                return
            }
            buffer.moveReaderIndex(forwardBy: length)
            pending = buffer
            let current = configuration()
            let answer = DiscoveryEndpoint.answer(version: current.version, nodes: current.nodes, legacy: legacy)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer)), promise: nil)
        }
    }

    private func forward(context: ChannelHandlerContext) {
        guard let first = configuration().nodes.first else {
            context.close(promise: nil)
            return
        }
        connecting = true
        let client = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Relay(peer: client))
                }
            }
            .connect(host: first.host, port: first.port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    node = channel
                    connecting = false
                    if let pending, pending.readableBytes > 0 { channel.writeAndFlush(pending, promise: nil) }
                    pending = nil
                    channel.closeFuture.whenComplete { _ in client.close(promise: nil) }
                case .failure:
                    client.close(promise: nil)
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        node?.close(promise: nil)
        context.fireChannelInactive()
    }
}

/// The node's side of a forwarded connection: its replies go back to the client.
private final class Relay: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    let peer: any Channel

    init(peer: any Channel) {
        self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }
}
