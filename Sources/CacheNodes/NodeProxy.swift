import NIOCore
import NIOPosix
import Synchronization

/// A replication group's primary or reader endpoint: a TCP listener that joins each client
/// connection to the node `target` names when it connects, byte for byte. The endpoint's port
/// stays while the nodes behind it change (a failover moves the primary endpoint; clients of
/// the old primary are disconnected and reconnect to the new one, as after AWS's DNS change).
final class NodeProxy: Sendable {
    /// The node a new connection goes to (its port on `host`); nil refuses the connection.
    typealias Target = @Sendable () -> Int?

    let channel: any Channel
    private let connections: ProxyConnections

    private init(channel: any Channel, connections: ProxyConnections) {
        self.channel = channel
        self.connections = connections
    }

    /// `tls`: how a new connection speaks (in-transit encryption; asked at each connection, so a
    /// changed mode applies to the next one); `gate`: IAM-authenticated sign-ins are checked, and
    /// their tokens exchanged, on the way; `meter`: a serverless cache's ECPUs, charged and
    /// throttled (`memcached`: its commands are memcached's).
    static func start(
        group: any EventLoopGroup, host: String, port: Int, tls: @escaping NodeTLS.Mode,
        gate: IAMAuthGate.Policy? = nil,
        meter: ECPUBucket? = nil, memcached: Bool = false, target: @escaping Target
    ) async throws -> NodeProxy {
        let connections = ProxyConnections()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { client in
                client.eventLoop.makeCompletedFuture {
                    guard let port = target() else { throw ProxyRefused() }
                    let clientGlue = ProxyGlue()
                    try NodeTLS.addSniffer(tls(), to: client)
                    if let meter {
                        let framer: any CommandFraming = memcached ? MemcachedFramer() : RESPFramer()
                        try client.pipeline.syncOperations.addHandler(ECPUMeter(bucket: meter, framer: framer))
                    }
                    if let gate { try client.pipeline.syncOperations.addHandler(IAMAuthGate(policy: gate)) }
                    try client.pipeline.syncOperations.addHandler(clientGlue)
                    connections.add(client, port: port)
                    client.closeFuture.whenComplete { _ in connections.remove(client) }
                    ProxyGlue.connect(client, glue: clientGlue, host: host, port: port)
                }
            }
            .bind(host: host, port: port).get()
        return NodeProxy(channel: channel, connections: connections)
    }

    /// Closes every client connection joined to a node outside `ports`.
    func disconnect(exceptTo ports: Set<Int>) {
        for client in connections.joined(notTo: ports) { client.close(promise: nil) }
    }

    func stop() async {
        for client in connections.joined(notTo: []) { client.close(promise: nil) }
        try? await channel.close()
    }
}

private struct ProxyRefused: Error {}

/// The proxy's open client connections and the node port each is joined to.
private final class ProxyConnections: Sendable {
    private let open = Mutex<[ObjectIdentifier: (channel: any Channel, port: Int)]>([:])

    func add(_ channel: any Channel, port: Int) {
        open.withLock { $0[ObjectIdentifier(channel)] = (channel, port) }
    }

    func remove(_ channel: any Channel) {
        _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func joined(notTo ports: Set<Int>) -> [any Channel] {
        open.withLock { $0.values.filter { !ports.contains($0.port) }.map(\.channel) }
    }
}

/// One side of a joined pair: what it reads is written to its partner (what a client sends
/// before the node's side is connected waits here); it reads only while its partner can write
/// (backpressure), and closing either side closes both. Both channels
/// live on the same event loop, so the pair is only ever touched from that loop (hence the
/// unchecked Sendable).
final class ProxyGlue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: ProxyGlue?
    private var context: ChannelHandlerContext?
    private var readPending = false
    /// What the client sent before the node's connection was up.
    private var early: [NIOAny]

    /// `early`: what the client sent before this glue was added (the discovery endpoint's
    /// connection, joined to a node after its first other command).
    init(early: [NIOAny] = []) {
        self.early = early
    }

    /// Joins `client`, whose pipeline has `glue`, to the node at `host:port` on the client's
    /// event loop; a failed connect closes the client, a client gone first takes the node's side along.
    static func connect(_ client: any Channel, glue: ProxyGlue, host: String, port: Int) {
        ClientBootstrap(group: client.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { node in
                node.eventLoop.makeCompletedFuture {
                    let nodeGlue = ProxyGlue()
                    join(glue, nodeGlue)
                    try node.pipeline.syncOperations.addHandler(nodeGlue)
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let node): client.closeFuture.whenComplete { _ in node.close(promise: nil) }
                case .failure: client.close(promise: nil)
                }
            }
    }

    static func join(_ first: ProxyGlue, _ second: ProxyGlue) {
        first.partner = second
        second.partner = first
    }

    /// The partner's channel is connected: it takes what arrived meanwhile.
    private var partnerReady: ChannelHandlerContext? {
        guard let context = partner?.context, context.channel.isActive else { return nil }
        return context
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        // The node's side connected: what the client sent so far goes first.
        if let partner, !partner.early.isEmpty {
            for data in partner.early { context.write(data, promise: nil) }
            partner.early = []
            context.flush()
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let target = partnerReady {
            target.write(data, promise: nil)
        } else {
            early.append(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partnerReady?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let partner, partner.readPending {
            partner.readPending = false
            partner.context?.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partnerReady?.channel.isWritable ?? true {
            context.read()
        } else {
            readPending = true
        }
    }
}
