import Crypto
import Foundation
import NIOCore
import NIOEmbedded
import NIOSSL
import SwiftASN1
import Testing
import X509

@testable import CacheNodes

/// The certificates of the TLS endpoints, and how a connection's first bytes decide its way.
struct NodeTLSTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theServerCertificateNamesTheNodeHostAndChainsToTheAuthority() throws {
        let authority = try NodeTLS.makeAuthority(now: now)
        #expect(try authority.certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        let key = P256.Signing.PrivateKey()
        let server = try NodeTLS.serverCertificate(for: "10.1.2.3", key: key, authority: authority, now: now)
        #expect(server.issuer == authority.certificate.subject)
        #expect(authority.certificate.publicKey.isValidSignature(server.signature, for: server))
        let names = try #require(try server.extensions.subjectAlternativeNames)
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3]))))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(names.contains(.dnsName("localhost")))
        #expect(try server.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(server.notValidAfter > now && server.notValidBefore < now)

        let named = try NodeTLS.serverCertificate(for: "cache.internal", key: key, authority: authority, now: now)
        #expect(try named.extensions.subjectAlternativeNames?.contains(.dnsName("cache.internal")) == true)
        #expect(NodeTLS.ipAddressBytes("::1")?.count == 16 && NodeTLS.ipAddressBytes("cache.internal") == nil)
    }

    @Test func theAuthorityIsKeptAcrossStartsAndItsKeyIsTheOwnersAlone() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try NodeTLS.loadOrCreate(directory: directory, host: "127.0.0.1", now: now)
        let authority = try String(contentsOfFile: first.authorityPath, encoding: .utf8)
        _ = try NodeTLS.loadOrCreate(directory: directory, host: "127.0.0.1", now: now)
        #expect(try String(contentsOfFile: first.authorityPath, encoding: .utf8) == authority)
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/ca-key.pem")[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
    }

    private func channel(mode: String) throws -> EmbeddedChannel {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tls = try NodeTLS.loadOrCreate(directory: directory, host: "127.0.0.1", now: Date())
        let channel = EmbeddedChannel()
        try NodeTLS.addSniffer(tls.endpoint(mode, supervisorSecret: "s3cret"), to: channel)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func send(_ channel: EmbeddedChannel, _ text: String) throws -> String? {
        try channel.writeInbound(channel.allocator.buffer(string: text))
        var passed = ""
        while var buffer = try channel.readInbound(as: ByteBuffer.self) {
            passed += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return passed.isEmpty ? nil : passed
    }

    @Test func aPreferredEndpointPassesPlaintext() throws {
        let channel = try channel(mode: "preferred")
        #expect(try send(channel, "PING\r\n") == "PING\r\n")
        #expect(channel.isActive)
    }

    @Test func aRequiredEndpointPassesOnlyTheSupervisorsOwnPlaintext() throws {
        let client = try channel(mode: "required")
        #expect(try send(client, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n") == nil)
        #expect(!client.isActive, "a client without TLS is dropped")

        let own = try channel(mode: "required")
        // A replica's handshake: PING first (answered NOAUTH here), then the supervisor's
        // sign-in, then anything.
        #expect(try send(own, "*1\r\n$4\r\nPING\r\n") == nil)
        var answer = try #require(try own.readOutbound(as: ByteBuffer.self))
        #expect(answer.readString(length: answer.readableBytes) == InternalSignIn.noAuth)
        let signIn = "*3\r\n$4\r\nAUTH\r\n$21\r\ncachetrail-supervisor\r\n$6\r\ns3cret\r\n"
        #expect(try send(own, signIn + "*1\r\n$4\r\nINFO\r\n") == signIn + "*1\r\n$4\r\nINFO\r\n")
        #expect(try send(own, "*1\r\n$4\r\nINFO\r\n") == "*1\r\n$4\r\nINFO\r\n")
        #expect(own.isActive)

        let guessing = try channel(mode: "required")
        #expect(try send(guessing, "*3\r\n$4\r\nAUTH\r\n$21\r\ncachetrail-supervisor\r\n$6\r\nguess!\r\n") == nil)
        #expect(!guessing.isActive)
    }

    @Test func aHandshakeGetsTLSInTheSniffersPlace() throws {
        let channel = try channel(mode: "required")
        // The first bytes of a TLS record: a handshake (22), TLS 1.0 record version.
        try channel.writeInbound(channel.allocator.buffer(bytes: [0x16, 0x03, 0x01, 0x00, 0x05]))
        _ = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: TLSSniffer.self) }
    }
}
