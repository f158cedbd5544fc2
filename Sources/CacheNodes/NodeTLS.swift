import Crypto
import Foundation
import NIOCore
import NIOSSL
import SwiftASN1
import X509

#if canImport(Glibc)
    import Glibc
#endif

/// In-transit encryption at the endpoints cachetrail serves in front of nodes. AWS's endpoints
/// present a certificate of a public authority; here the data directory has a certificate
/// authority of its own (`nodes/tls/ca.pem`, made once, so a client that trusts it keeps
/// trusting it across restarts), and each server process signs a new server certificate for
/// `--node-host` with it (its key never leaves memory). The CA's key is the 0600 `ca-key.pem`.
package struct NodeTLS: Sendable {
    let context: NIOSSLContext
    /// The CA certificate clients verify the endpoints with.
    package let authorityPath: String

    package static func loadOrCreate(directory: String, host: String, now: Date) throws -> NodeTLS {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let keyPath = directory + "/ca-key.pem"
        let certificatePath = directory + "/ca.pem"
        let authority: (key: P256.Signing.PrivateKey, certificate: Certificate)
        if let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8),
            let certificateText = try? String(contentsOfFile: certificatePath, encoding: .utf8)
        {
            authority = (
                try P256.Signing.PrivateKey(pemRepresentation: keyText),
                try Certificate(pemEncoded: certificateText)
            )
        } else {
            authority = try makeAuthority(now: now)
            // The key file is the owner's alone before the key is in it.
            guard FileManager.default.createFile(atPath: keyPath, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteNoPermission) }
            try authority.key.pemRepresentation.write(toFile: keyPath, atomically: false, encoding: .utf8)
            try authority.certificate.serializeAsPEM().pemString.write(
                toFile: certificatePath, atomically: true, encoding: .utf8)
        }
        let serverKey = P256.Signing.PrivateKey()
        let server = try serverCertificate(for: host, key: serverKey, authority: authority, now: now)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: try derBytes(server), format: .der))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.pemRepresentation.utf8), format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        return NodeTLS(context: try NIOSSLContext(configuration: configuration), authorityPath: certificatePath)
    }

    private static func derBytes(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// A ten-year CA that signs server certificates only.
    static func makeAuthority(now: Date) throws -> (key: P256.Signing.PrivateKey, certificate: Certificate) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName("cachetrail node endpoints CA")
            OrganizationName("cachetrail")
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: .init(key))
        return (key, certificate)
    }

    /// A server certificate for `host` (an IP address or a DNS name), also valid for
    /// `localhost` and 127.0.0.1, for a year.
    static func serverCertificate(
        for host: String, key: P256.Signing.PrivateKey,
        authority: (key: P256.Signing.PrivateKey, certificate: Certificate),
        now: Date
    ) throws -> Certificate {
        var names: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        if let address = ipAddressBytes(host) {
            if address != [127, 0, 0, 1] { names.append(.ipAddress(ASN1OctetString(contentBytes: address[...]))) }
        } else if host != "localhost" {
            names.append(.dnsName(host))
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let authorityKey = try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: authority.certificate.subject, subject: try DistinguishedName { CommonName(host) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: authorityKey)
            },
            issuerPrivateKey: .init(authority.key))
    }

    /// The bytes of an IPv4 or IPv6 address in text, or nil for a name.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// How an endpoint takes a connection: TLS only (TransitEncryptionMode `required`, and every
/// serverless cache), or TLS and plaintext both (`preferred`, while a group migrates).
struct EndpointTLS: Sendable {
    let context: NIOSSLContext
    let plaintext: Bool
    /// The supervisor's secret: a plaintext connection that signs in with it is cachetrail's own
    /// (``InternalSignIn``) and passes a TLS-only endpoint.
    let supervisorSecret: String
}

/// The first handler of a connection to an endpoint with in-transit encryption: the client's
/// first byte tells a TLS handshake (a record of type 22) from plaintext, which a RESP or
/// memcached command never starts with. TLS gets a TLS handler in this one's place; plaintext
/// passes when the endpoint allows it; otherwise only cachetrail's own connections pass
/// (``InternalSignIn``), and a client's is closed, as a TLS-only endpoint of AWS's drops a client
/// that does not speak TLS.
final class TLSSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let tls: EndpointTLS

    init(_ tls: EndpointTLS) {
        self.tls = tls
    }

    static let handshakeRecord: UInt8 = 0x16

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        do {
            if first == Self.handshakeRecord {
                try context.pipeline.syncOperations.addHandler(
                    NIOSSLServerHandler(context: tls.context), position: .after(self))
            } else if !tls.plaintext {
                try context.pipeline.syncOperations.addHandler(
                    InternalSignIn(secret: tls.supervisorSecret), position: .after(self))
            }
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

extension NodeTLS {
    /// How an endpoint takes its next connection (nil: plaintext only).
    typealias Mode = @Sendable () -> EndpointTLS?

    /// How an endpoint of a resource in transit-encryption `mode` (`required`, `preferred`; nil:
    /// plaintext only) takes connections.
    func endpoint(_ mode: String?, supervisorSecret: String) -> EndpointTLS? {
        guard let mode else { return nil }
        return EndpointTLS(context: context, plaintext: mode == "preferred", supervisorSecret: supervisorSecret)
    }

    /// Puts a ``TLSSniffer`` first on `channel` when `tls` asks for one.
    static func addSniffer(_ tls: EndpointTLS?, to channel: any Channel) throws {
        if let tls { try channel.pipeline.syncOperations.addHandler(TLSSniffer(tls)) }
    }
}

/// A plaintext connection at a TLS-only endpoint can only be cachetrail's own: cluster nodes
/// reach each other at the ports they announce, which are the endpoints (a replica following its
/// primary, MIGRATE while redis-cli moves slots). It may PING first (a replica's handshake
/// does; the answer is NOAUTH, which the handshake takes as "sign in next", and the node never
/// sees it), then its first other command must sign in as ``NodeEngines/supervisorUser`` with
/// this server's secret; from there it passes. Anything else closes the connection.
final class InternalSignIn: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let noAuth = "-NOAUTH Authentication required.\r\n"

    private let secret: String
    private var buffer: ByteBuffer?

    init(secret: String) {
        self.secret = secret
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer?.writeBuffer(&incoming) }
        while var pending = buffer, pending.readableBytes > 0 {
            guard let (command, length) = IAMAuthGate.command(ArraySlice(pending.readableBytesView)) else {
                if pending.readableBytes > 4096 { context.close(promise: nil) }
                return
            }
            guard case .array(let items?) = command else { return context.close(promise: nil) }
            let words = items.compactMap(\.text)
            if words.count == 1, words[0].uppercased() == "PING" {
                pending.moveReaderIndex(forwardBy: length)
                buffer = pending
                context.writeAndFlush(
                    wrapOutboundOut(context.channel.allocator.buffer(string: Self.noAuth)), promise: nil)
                continue
            }
            guard words.count == 3, words[0].uppercased() == "AUTH", words[1] == NodeEngines.supervisorUser,
                Self.same(words[2], secret)
            else { return context.close(promise: nil) }
            buffer = nil
            context.fireChannelRead(wrapInboundOut(pending))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
    }

    /// Compares without stopping at the first difference.
    static func same(_ given: String, _ secret: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(secret.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
