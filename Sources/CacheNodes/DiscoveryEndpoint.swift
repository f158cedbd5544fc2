import Foundation
import NIOCore
import NIOPosix

/// A memcached cluster's configuration endpoint, as ElastiCache serves it: `config get cluster`
/// (and the legacy `get AmazonElastiCache:cluster`) answer the node list and its version in
/// AWS's format; any other command turns the connection into a plain proxy to the first node.
final class DiscoveryEndpoint: Sendable {
    /// What the endpoint answers: the configuration version and each node's endpoint (host and
    /// port); and the port of the first node's own process, where other commands go.
    typealias Configuration = @Sendable () -> (version: Int, nodes: [(host: String, port: Int)], first: Int?)

    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(
        group: any EventLoopGroup, host: String, port: Int, tls: @escaping NodeTLS.Mode,
        configuration: @escaping Configuration
    ) async throws -> DiscoveryEndpoint {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NodeTLS.addSniffer(tls(), to: channel)
                    try channel.pipeline.syncOperations.addHandler(
                        DiscoveryHandler(host: host, configuration: configuration))
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

/// One client connection: discovery lines answered here; from the first other command on, the
/// connection is joined to the first node (a ``ProxyGlue`` takes this handler's place). Unchecked
/// Sendable: NIO calls it on the connection's own event loop only.
private final class DiscoveryHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let host: String
    let configuration: DiscoveryEndpoint.Configuration
    private var pending: ByteBuffer?

    init(host: String, configuration: @escaping DiscoveryEndpoint.Configuration) {
        self.host = host
        self.configuration = configuration
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
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

    /// Hands the connection, and what it sent that was not a discovery line, to a proxy glue
    /// joined to the first node.
    private func forward(context: ChannelHandlerContext) {
        guard let first = configuration().first else {
            context.close(promise: nil)
            return
        }
        let glue = ProxyGlue(early: pending.map { [NIOAny($0)] } ?? [])
        pending = nil
        let client = context.channel
        do {
            try context.pipeline.syncOperations.addHandler(glue, position: .after(self))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
            return
        }
        ProxyGlue.connect(client, glue: glue, host: host, port: first)
    }
}
