import AWSWire
import CloudTrail
import ElastiCache
import Foundation
import IAM
import Logging
import Persistence
import SigV4
import Testing

@testable import CacheTrailServer

/// An in-process cachetrail: the real gateway and services over a temporary data directory
/// and a manual clock, driven by requests signed in memory with the default account's root
/// key. No sockets, no processes: what the e2e suite proves with real clients, this proves
/// for the spine and every operation in milliseconds.
final class GatewayHarness {
    let directory: String
    let data: DataDirectory
    let clock: ManualClock
    let gateway: Gateway
    let credentials: AWSCredentials
    var region = "us-west-2"

    static let account = "123456789012"
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    init(lifecycleSeconds: TimeInterval = 5) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harness-\(UUID().uuidString)")
            .path
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.accountId = Self.account
        configuration.elastiCache.lifecycleSeconds = lifecycleSeconds
        let clock = ManualClock(start: Self.start)
        do {
            let data = try DataDirectory(configuration: configuration)
            let (key, _) = try await data.bootstrapDefaultAccount(now: clock.now())
            self.data = data
            credentials = AWSCredentials(accessKeyID: key.accessKeyId, secretAccessKey: key.secretAccessKey)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        self.directory = directory
        self.clock = clock
        let delivery = TrailDelivery(ports: .embedded(blobs: data.blobs))
        gateway = Gateway(
            handlers: CacheTrailServer.handlers(
                blobs: data.blobs, clock: clock, delivery: delivery, elastiCache: configuration.elastiCache),
            identities: data.identities, clock: clock, signingClock: clock)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A Query-protocol call (ElastiCache, IAM, STS, SNS): `Action`, `Version` and `parameters`
    /// form-encoded in the body, signed for `service`.
    func query(
        _ action: String, _ parameters: [String: String] = [:], service: String = "elasticache",
        version: String = "2015-02-02", as caller: AWSCredentials? = nil, secure: Bool = false
    ) async -> Answer {
        let fields = [("Action", action), ("Version", version)] + parameters.sorted { $0.key < $1.key }
        let body = fields.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&")
        return await send(
            service: service, method: "POST", path: "/", body: Array(body.utf8),
            headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")], as: caller,
            secure: secure)
    }

    /// CreateCacheCluster of a one-node cache.t3.micro `engine` cluster, with `extra` parameters.
    @discardableResult
    func createCluster(_ id: String, engine: String = "redis", _ extra: [String: String] = [:]) async -> Answer {
        await query(
            "CreateCacheCluster",
            ["CacheClusterId": id, "Engine": engine, "CacheNodeType": "cache.t3.micro"].merging(extra) { $1 })
    }

    /// A JSON-protocol call (CloudTrail): `target` is the model's target prefix, the body a
    /// JSON object.
    func json(
        _ action: String, _ body: [String: Any] = [:], service: String = "cloudtrail",
        target: String = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
    ) async throws -> Answer {
        let bytes = Array(try JSONSerialization.data(withJSONObject: body))
        return await send(
            service: service, method: "POST", path: "/", body: bytes,
            headers: [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", "\(target).\(action)")])
    }

    /// Signs and answers one request.
    func send(
        service: String, method: String, path: String, body: [UInt8], headers: [(String, String)],
        as caller: AWSCredentials? = nil, secure: Bool = false
    ) async -> Answer {
        let unsigned = SignableRequest(
            method: method, path: path, query: "",
            headers: [("host", "localhost:4577"), ("x-amz-content-sha256", SigV4.sha256Hex(body))]
                + headers.map { (name: $0.0, value: $0.1) },
            bodySHA256: SigV4.sha256Hex(body))
        let signed = SigV4Signer(credentials: caller ?? credentials, region: region, service: service)
            .sign(unsigned, at: clock.now())
        var request = GatewayRequest(
            method: method, path: path, query: "", headers: signed.headers, body: body, sourceIP: "192.0.2.10")
        // As a trusted proxy's `X-Forwarded-Proto: https` would have it.
        request.secure = secure
        return await raw(request)
    }

    /// Answers `request` as it is (unsigned, forged…).
    func raw(_ request: GatewayRequest) async -> Answer {
        let response = await gateway.respond(to: request, logger: Logger(label: "harness"))
        return Answer(
            status: response.status, body: String(decoding: response.body, as: UTF8.self),
            headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { _, last in last })
    }

    /// Moves the injected clock.
    func advance(_ seconds: TimeInterval) {
        clock.advance(by: seconds)
    }

    /// Another account of the server, and its root key.
    func account(_ id: String) async throws -> AWSCredentials {
        let key = try await data.createAccount(id: id, now: clock.now())
        return AWSCredentials(accessKeyID: key.accessKeyId, secretAccessKey: key.secretAccessKey)
    }

    /// The CloudTrail records captured in the region (for `account`, the default one's unless
    /// named), oldest first.
    func records(account: String = GatewayHarness.account) async throws -> [[String: Any]] {
        let query = JournalQuery(account: account, region: region, limit: 10_000)
        let entries = try await data.store.read { tx in try tx.events(query).map(\.entry.record) }
        return try entries.reversed().map { text in
            try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
    }
}

/// A response as a test reads it: the status and the XML body, with a field reader.
struct Answer {
    var status: Int
    var body: String
    /// Lower-cased names.
    var headers: [String: String] = [:]

    /// The text of every `<name>…</name>` in the body, in order.
    func values(_ name: String) -> [String] {
        var found: [String] = []
        var rest = body[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    func value(_ name: String) -> String? { values(name).first }

    /// The error code of a failed call (Query's `<Code>`, or JSON's `__type`).
    var errorCode: String? {
        value("Code") ?? (json?["__type"] as? String).map { String($0.split(separator: "#").last ?? "") }
    }

    /// The body as a JSON object (JSON protocols).
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
}
