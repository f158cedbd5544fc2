import Foundation
import NIOCore
import Synchronization

/// ElastiCache IAM authentication at a replication group's endpoints: a client signs in as an
/// IAM-authenticated user with `AUTH <user> <token>` (or `HELLO <v> AUTH <user> <token>`), the
/// token being a SigV4-presigned `connect` request. The gate finds sign-ins in the client's
/// stream; when one names an IAM user of the group it asks `check` whether the token is valid
/// and allowed (`elasticache:Connect`), and passes the command on with the user's node password
/// in the token's place — or with a wrong one, so the node answers its WRONGPASS error in the
/// order of the client's commands. While the group has IAM users every command is framed (a
/// client signs in again with a new token on the same connection); otherwise the gate leaves
/// after the first command. As on AWS, an IAM sign-in lasts 12 hours: the connection is closed
/// at its first command after that unless a new token signed it in again.
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

    /// What the gate needs from its endpoint: token checks, whether the group has IAM users, the server's time.
    struct Policy: Sendable {
        let check: Check
        let watching: @Sendable () -> Bool
        let now: @Sendable () -> Date
    }

    /// A sign-in command longer than this is not one: the stream then passes unexamined.
    static let limit = 64 * 1024
    /// How long an IAM sign-in lasts without a new token.
    static let signInLifetime: TimeInterval = 12 * 3600

    private let policy: Policy
    private var framer = RESPFramer()
    private var buffer: ByteBuffer?
    private var waiting = false
    private var commands = 0
    private var signedInAt: Date?

    init(policy: Policy) {
        self.policy = policy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let signedInAt, policy.now().timeIntervalSince(signedInAt) >= Self.signInLifetime {
            buffer = nil
            context.close(promise: nil)
            return
        }
        var incoming = unwrapInboundIn(data)
        if buffer == nil {
            buffer = incoming
        } else {
            buffer?.writeBuffer(&incoming)
        }
        if !waiting { examine(context: context) }
    }

    private func examine(context: ChannelHandlerContext) {
        while var pending = buffer, pending.readableBytes > 0 {
            let unit = pending.withUnsafeReadableBytes { framer.next($0, signIns: true) }
            switch unit {
            case .pass(let length, let started):
                guard let slice = pending.readSlice(length: length) else { return }
                buffer = pending
                context.fireChannelRead(wrapInboundOut(slice))
                commands += started
                if commands > 0, signedInAt == nil, !policy.watching() { return leave(context: context) }
            case .more:
                if pending.readableBytes > Self.limit { return leave(context: context) }
                return
            case .signIn:
                let bytes = ArraySlice(pending.readableBytesView)
                guard let (command, length) = Self.command(bytes) else {
                    if bytes.count > Self.limit { return leave(context: context) }
                    return
                }
                guard let (user, token, rewrite) = Self.signIn(command) else {
                    // AUTH <password> alone (the default user): on as sent.
                    guard let slice = pending.readSlice(length: length) else { return }
                    buffer = pending
                    commands += 1
                    context.fireChannelRead(wrapInboundOut(slice))
                    continue
                }
                waiting = true
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let check = policy.check
                context.eventLoop.makeFutureWithTask { await check(user, token) }.whenSuccess { decision in
                    let (gate, context) = loopBound.value
                    gate.decide(decision, rewrite: rewrite, length: length, context: context)
                }
                return
            }
        }
    }

    private func decide(
        _ decision: Decision, rewrite: @escaping ([String]) -> [String], length: Int, context: ChannelHandlerContext
    ) {
        waiting = false
        guard var pending = buffer, let original = pending.readSlice(length: length) else { return }
        buffer = pending
        commands += 1
        switch decision {
        case .passThrough:
            context.fireChannelRead(wrapInboundOut(original))
        case .password(let password):
            signedInAt = policy.now()
            context.fireChannelRead(wrapInboundOut(Self.encode(rewrite([password]), context: context)))
        case .refuse:
            // A password nobody has: the node answers WRONGPASS after the commands before it.
            let wrong = NodeEngines.randomSecret(bytes: 16)
            context.fireChannelRead(wrapInboundOut(Self.encode(rewrite([wrong]), context: context)))
        }
        examine(context: context)
        // The decision may come after the read that brought the bytes: the glue flushes on this.
        context.fireChannelReadComplete()
    }

    private static func encode(_ words: [String], context: ChannelHandlerContext) -> ByteBuffer {
        context.channel.allocator.buffer(string: respCommand(words))
    }

    /// Hands what is buffered on and leaves the pipeline.
    private func leave(context: ChannelHandlerContext) {
        if let rest = buffer, rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
        buffer = nil
        context.fireChannelReadComplete()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The whole command at the start of `bytes` (RESP, or an inline line as its words) and its length.
    static func command(_ bytes: ArraySlice<UInt8>) -> (RESPReply, Int)? {
        if bytes.first == UInt8(ascii: "*") { return RESPReply.parse(bytes) }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: bytes[bytes.startIndex..<newline], as: UTF8.self)
        let words = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map { String($0) }
        return (.array(words.map { .bulk($0) }), newline - bytes.startIndex + 1)
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

    /// Whether the group has any IAM-authenticated user.
    func any(_ arn: String) -> Bool { users.withLock { !($0[arn]?.isEmpty ?? true) } }
}

/// How tokens are verified, and the server's time (sign-ins expire by it): set by the server
/// once its gateway exists.
package final class ConnectVerifier: Sendable {
    package typealias Verify = @Sendable (_ groupArn: String, _ user: String, _ token: String) async -> Bool
    private let verify = Mutex<Verify?>(nil)
    private let clock = Mutex<(@Sendable () -> Date)?>(nil)

    func set(_ verify: @escaping Verify, now: @escaping @Sendable () -> Date) {
        self.verify.withLock { $0 = verify }
        clock.withLock { $0 = now }
    }

    func now() -> Date { clock.withLock { $0 }?() ?? Date() }

    func callAsFunction(_ arn: String, _ user: String, _ token: String) async -> Bool {
        guard let verify = verify.withLock({ $0 }) else { return false }
        return await verify(arn, user, token)
    }
}
