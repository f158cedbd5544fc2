import NIOCore
import Synchronization

/// ElastiCache IAM authentication at a replication group's endpoints: a client signs in as an
/// IAM-authenticated user with `AUTH <user> <token>` (or `HELLO <v> AUTH <user> <token>`), the
/// token being a SigV4-presigned `connect` request. The gate reads the connection's first
/// command; when it names an IAM user of the group it asks `check` whether the token is valid
/// and allowed (`elasticache:Connect`), and passes the command on with the user's node password
/// in the token's place, or answers the engine's WRONGPASS error. Any other first command, and
/// everything after, passes unchanged.
final class IAMAuthGate: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// What becomes of a sign-in.
    enum Decision: Sendable {
        /// Not an IAM user's: the command goes on as sent.
        case passThrough
        /// A valid token: the command goes on with this password instead.
        case password(String)
        case refuse
    }

    typealias Check = @Sendable (_ user: String, _ token: String) async -> Decision

    static let wrongPassword = "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    /// A first command longer than this is not a sign-in: it passes on.
    static let limit = 64 * 1024

    private let check: Check
    private var buffer: ByteBuffer?
    private var waiting = false

    init(check: @escaping Check) {
        self.check = check
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil {
            buffer = incoming
        } else {
            buffer?.writeBuffer(&incoming)
        }
        if !waiting { examine(context: context) }
    }

    private func examine(context: ChannelHandlerContext) {
        guard let bytes = buffer?.readableBytesView else { return }
        let slice = ArraySlice(bytes)
        guard slice.first == UInt8(ascii: "*") else { return release(context: context) }
        guard let (command, length) = RESPReply.parse(slice) else {
            // Not whole yet (or not RESP at all, once too long to be a sign-in).
            if slice.count > Self.limit { release(context: context) }
            return
        }
        guard let (user, token, rewrite) = Self.signIn(command) else { return release(context: context) }
        waiting = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let check = check
        context.eventLoop.makeFutureWithTask { await check(user, token) }.whenSuccess { decision in
            let (gate, context) = loopBound.value
            gate.waiting = false
            gate.decide(decision, rewrite: rewrite, length: length, context: context)
        }
    }

    private func decide(
        _ decision: Decision, rewrite: @escaping ([String]) -> [String], length: Int, context: ChannelHandlerContext
    ) {
        switch decision {
        case .passThrough:
            release(context: context)
        case .password(let password):
            buffer?.moveReaderIndex(forwardBy: length)
            let replaced = rewrite([password])
            var command = context.channel.allocator.buffer(capacity: 64)
            command.writeString("*\(replaced.count)\r\n")
            for argument in replaced { command.writeString("$\(argument.utf8.count)\r\n\(argument)\r\n") }
            context.fireChannelRead(wrapInboundOut(command))
            release(context: context)  // completes the read: the glue flushes both
        case .refuse:
            // The command is answered here; the client may try again on this connection.
            buffer?.moveReaderIndex(forwardBy: length)
            var reply = context.channel.allocator.buffer(capacity: Self.wrongPassword.utf8.count)
            reply.writeString(Self.wrongPassword)
            context.writeAndFlush(NIOAny(reply), promise: nil)
            if buffer?.readableBytes ?? 0 > 0 { examine(context: context) }
        }
    }

    /// Hands what is buffered to the glue (a read completes, so the glue flushes it on: the
    /// decision may come after the read that brought the bytes) and leaves the pipeline.
    private func release(context: ChannelHandlerContext) {
        if let rest = buffer, rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
        context.fireChannelReadComplete()
        buffer = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The user and token of `AUTH <user> <token>` or `HELLO <v> … AUTH <user> <token> …`,
    /// with how to write the command again around a new token.
    static func signIn(_ command: RESPReply) -> (String, String, @Sendable ([String]) -> [String])? {
        guard case .array(let items?) = command else { return nil }
        let words = items.compactMap(\.text)
        guard words.count == items.count, let verb = words.first?.uppercased() else { return nil }
        if verb == "AUTH", words.count == 3 {
            return (words[1], words[2], { ["AUTH", words[1]] + $0 })
        }
        if verb == "HELLO", let index = words.firstIndex(where: { $0.uppercased() == "AUTH" }),
            index + 2 < words.count
        {
            let token = index + 2
            return (
                words[index + 1], words[token],
                { Array(words[..<token]) + $0 + Array(words[(token + 1)...]) }
            )
        }
        return nil
    }
}

/// The IAM-authenticated users of each replication group, read when a client signs in.
final class GroupIAMUsers: Sendable {
    private let users = Mutex<[String: Set<String>]>([:])

    func set(_ arn: String, _ names: Set<String>) { users.withLock { $0[arn] = names } }

    func contains(_ arn: String, _ user: String) -> Bool { users.withLock { $0[arn]?.contains(user) ?? false } }
}

/// How tokens are verified: set by the server once its gateway exists.
package final class ConnectVerifier: Sendable {
    package typealias Verify = @Sendable (_ groupArn: String, _ user: String, _ token: String) async -> Bool
    private let verify = Mutex<Verify?>(nil)

    func set(_ verify: @escaping Verify) { self.verify.withLock { $0 = verify } }

    func callAsFunction(_ arn: String, _ user: String, _ token: String) async -> Bool {
        guard let verify = verify.withLock({ $0 }) else { return false }
        return await verify(arn, user, token)
    }
}
