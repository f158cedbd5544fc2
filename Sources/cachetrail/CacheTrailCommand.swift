import ArgumentParser
import CacheTrailServer
import CloudTrail
import ElastiCache
import Foundation
import IAM
import Logging
import SigV4

/// Every command names itself (`commandName`): ArgumentParser otherwise derives each name from
/// `String(describing:)` of its type, which at every start scans the binary's ~12,000 protocol
/// conformances once per type.
@main
struct CacheTrail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachetrail",
        abstract: "An ElastiCache-compatible control plane whose every call is a CloudTrail event.",
        version: CacheTrailServer.version,
        subcommands: [Serve.self, Account.self, Policy.self, Doctor.self],
        defaultSubcommand: Serve.self)

    /// Runs on the main thread before any other thread allocates, so that the arena limit
    /// holds for every thread (glibc gives a thread its arena at its first allocation), and
    /// before anything opens a database (SQLite's settings).
    @MainActor static func main() async {
        MallocArenas.limit()
        SQLiteSettings.apply()
        await main(nil)
    }
}

/// Options shared by every command that opens a data directory.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "State directory (env CACHETRAIL_DATA_DIR).")
    var dataDirectory: String = ProcessInfo.processInfo.environment["CACHETRAIL_DATA_DIR"] ?? "./.cachetrail"
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server.")

    private static let env = ProcessInfo.processInfo.environment
    /// The embedded defaults, written once (in ServerConfiguration); flags and env override them.
    private static let defaults = ServerConfiguration()

    @Option(help: "Address to bind (env CACHETRAIL_HOST).")
    var host: String = env["CACHETRAIL_HOST"] ?? defaults.host

    @Option(help: "Port to listen on; 0 picks a free one (env CACHETRAIL_PORT).")
    var port: Int = Int(env["CACHETRAIL_PORT"] ?? "") ?? defaults.port

    @OptionGroup var data: DataOptions

    @Option(help: "Default account id (env CACHETRAIL_ACCOUNT_ID).")
    var accountId: String = env["CACHETRAIL_ACCOUNT_ID"] ?? defaults.accountId

    @Option(help: "system, or manual: time moves only through POST /_cachetrail/clock.")
    var clock: String = "system"

    @Option(
        help: "Seconds a cache cluster takes to create, modify, reboot or delete (env CACHETRAIL_LIFECYCLE_SECONDS).")
    var lifecycleSeconds: Double =
        Double(env["CACHETRAIL_LIFECYCLE_SECONDS"] ?? "") ?? defaults.elastiCache.lifecycleSeconds

    @Option(help: "Cache clusters allowed per account and region (env CACHETRAIL_CLUSTER_QUOTA).")
    var clusterQuota: Int = Int(env["CACHETRAIL_CLUSTER_QUOTA"] ?? "") ?? defaults.elastiCache.clustersPerAccount

    @Option(help: "Cache nodes allowed per account and region (env CACHETRAIL_NODE_QUOTA).")
    var nodeQuota: Int = Int(env["CACHETRAIL_NODE_QUOTA"] ?? "") ?? defaults.elastiCache.nodesPerAccount

    @Option(help: "Seconds an event may wait for its log file, 1 or more (env CACHETRAIL_DELIVERY_INTERVAL).")
    var deliveryInterval: Double = Double(env["CACHETRAIL_DELIVERY_INTERVAL"] ?? "") ?? defaults.deliveryInterval

    @Option(help: "Uncompressed record bytes after which a log file is cut early.")
    var deliveryMaxFileBytes: Int = defaults.deliveryMaxFileBytes

    @Option(
        help: """
            An S3-compatible endpoint for trail buckets the embedded store does not hold (env \
            CACHETRAIL_S3_ENDPOINT); its keys come from CACHETRAIL_S3_ACCESS_KEY_ID and \
            CACHETRAIL_S3_SECRET_ACCESS_KEY.
            """)
    var s3Endpoint: String?
    var externalEndpoint: String? { s3Endpoint ?? Self.env["CACHETRAIL_S3_ENDPOINT"] }

    @Option(help: "The region requests to --s3-endpoint are signed for.")
    var s3Region: String = env["CACHETRAIL_S3_REGION"] ?? "us-east-1"

    @Option(
        help: .init(
            "Cache nodes: real (a process per node of clusters and replication groups, cluster mode as a real "
                + "Redis Cluster: memcached backs memcached, valkey-server backs valkey when installed, else "
                + "redis-server, which backs redis and valkey) or none (address-only nodes). Default: real when "
                + "memcached or redis-server is on PATH (env CACHETRAIL_NODES)."))
    var nodes: String?
    var nodesMode: String? { nodes ?? Self.env["CACHETRAIL_NODES"] }

    @Option(
        help: .init(
            "Ports for node processes and the endpoints cachetrail serves for them, FIRST-LAST, at most 55535 "
                + "(env CACHETRAIL_NODE_PORTS)."))
    var nodePorts: String =
        env["CACHETRAIL_NODE_PORTS"] ?? "\(defaults.nodePorts.lowerBound)-\(defaults.nodePorts.upperBound)"

    @Option(
        help: .init(
            "The address node processes listen on and endpoints name. Endpoints with in-transit encryption "
                + "speak TLS with a certificate for it signed by the CA in <data-dir>/nodes/tls/ca.pem."))
    var nodeHost: String = env["CACHETRAIL_NODE_HOST"] ?? defaults.nodeHost

    var nodePortRange: ClosedRange<Int>? {
        let parts = nodePorts.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1024, parts[0] <= parts[1], parts[1] <= 55_535 else { return nil }
        return parts[0]...parts[1]
    }

    @Flag(help: "Benchmarks only: do not record calls as CloudTrail events, to measure what capture costs.")
    var benchmarkWithoutCapture = false

    @Option(help: "A proxy (address or CIDR) whose X-Forwarded-For names the caller; repeatable.")
    var trustedProxy: [String] = []

    @Flag(help: "Allow binding to a non-loopback address.")
    var allowRemote = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env CACHETRAIL_LOG_LEVEL).")
    var logLevel: String = env["CACHETRAIL_LOG_LEVEL"] ?? "info"

    func validate() throws {
        if let nodesMode, !["real", "none"].contains(nodesMode) {
            throw ValidationError("--nodes must be real or none")
        }
        guard nodePortRange != nil else {
            throw ValidationError(
                "--node-ports must be FIRST-LAST within 1024-55535 (a cluster-mode node's bus port is its port + 10000)"
            )
        }
        guard deliveryInterval >= 1 else { throw ValidationError("--delivery-interval must be at least 1 second") }
        guard deliveryMaxFileBytes >= 1024 else {
            throw ValidationError("--delivery-max-file-bytes must be at least 1024")
        }
        if let externalEndpoint {
            guard let url = URL(string: externalEndpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil
            else { throw ValidationError("--s3-endpoint must be an http(s) URL") }
            guard Self.env["CACHETRAIL_S3_ACCESS_KEY_ID"] != nil, Self.env["CACHETRAIL_S3_SECRET_ACCESS_KEY"] != nil
            else {
                throw ValidationError(
                    "--s3-endpoint needs CACHETRAIL_S3_ACCESS_KEY_ID and CACHETRAIL_S3_SECRET_ACCESS_KEY")
            }
        }
        guard lifecycleSeconds >= 0 else { throw ValidationError("--lifecycle-seconds must be 0 or more") }
        guard ["system", "manual"].contains(clock) else { throw ValidationError("--clock must be system or manual") }
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id must be 12 digits")
        }
    }

    func run() async throws {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.allowRemote = allowRemote
        configuration.dataDirectory = data.dataDirectory
        configuration.accountId = accountId
        configuration.rootAccessKeyId = Self.env["CACHETRAIL_ROOT_ACCESS_KEY_ID"]
        configuration.rootSecretAccessKey = Self.env["CACHETRAIL_ROOT_SECRET_ACCESS_KEY"]
        configuration.manualClock = clock == "manual"
        configuration.elastiCache.lifecycleSeconds = lifecycleSeconds
        configuration.realNodes = nodesMode.map { $0 == "real" }
        configuration.nodePorts = nodePortRange ?? configuration.nodePorts
        configuration.nodeHost = nodeHost
        configuration.capture = !benchmarkWithoutCapture
        configuration.trustedProxies = trustedProxy
        configuration.deliveryInterval = deliveryInterval
        configuration.deliveryMaxFileBytes = deliveryMaxFileBytes
        if let externalEndpoint, let url = URL(string: externalEndpoint) {
            configuration.externalBucket = ExternalBucket(
                endpoint: url,
                credentials: AWSCredentials(
                    accessKeyID: Self.env["CACHETRAIL_S3_ACCESS_KEY_ID"] ?? "",
                    secretAccessKey: Self.env["CACHETRAIL_S3_SECRET_ACCESS_KEY"] ?? ""),
                region: s3Region)
        }
        configuration.elastiCache.clustersPerAccount = clusterQuota
        configuration.elastiCache.nodesPerAccount = nodeQuota
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, logLevel: level) }
        let logger = Logger(label: "cachetrail")
        let host = host
        // Absolute, so the printed line works from any directory and in a second terminal.
        let credentialsPath = URL(fileURLWithPath: configuration.credentialsPath).standardizedFileURL.path
        try await CacheTrailServer.run(configuration, logger: logger) { ready in
            let endpoint = "http://\(host.contains(":") ? "[\(host)]" : host):\(ready.port)"
            var lines = [
                "cachetrail \(CacheTrailServer.version) listening on \(endpoint) (account \(ready.rootKey.accountId))"
            ]
            if ready.createdAccount {
                lines.append(
                    "export AWS_ACCESS_KEY_ID=\(ready.rootKey.accessKeyId) AWS_SECRET_ACCESS_KEY=\(ready.rootKey.secretAccessKey) AWS_ENDPOINT_URL=\(endpoint) AWS_DEFAULT_REGION=us-east-1"
                )
            }
            lines.append("console: \(endpoint)/console")
            if let password = ready.rootPassword {
                lines.append(
                    "console root password for account \(ready.rootKey.accountId) (shown once; `cachetrail account password` sets a new one): \(password)"
                )
            }
            // Works from any directory and in a second terminal (the path is absolute).
            lines.append(
                "export AWS_SHARED_CREDENTIALS_FILE=\(credentialsPath) AWS_ENDPOINT_URL=\(endpoint) AWS_DEFAULT_REGION=us-east-1"
            )
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }
}

struct Account: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Manage accounts (also while the server runs).",
        subcommands: [Create.self, Password.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Add an account; prints its root credentials and adds them to <data-dir>/credentials.")

        @OptionGroup var data: DataOptions

        @Option(help: "The new account's 12-digit id (random if omitted).")
        var id: String?

        func validate() throws {
            if let id, id.count != 12 || !id.allSatisfy(\.isNumber) {
                throw ValidationError("--id must be 12 digits")
            }
        }

        func run() async throws {
            var configuration = ServerConfiguration()
            configuration.dataDirectory = data.dataDirectory
            let directory = try DataDirectory(configuration: configuration)
            let key = try await directory.createAccount(id: id, now: Date())
            print("account \(key.accountId)")
            print("export AWS_ACCESS_KEY_ID=\(key.accessKeyId) AWS_SECRET_ACCESS_KEY=\(key.secretAccessKey)")
            print("profile \(key.accountId) added to \(configuration.credentialsPath)")
            if let password = try await directory.identities.resetRootPassword(account: key.accountId) {
                print("console root password (shown once): \(password)")
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "password",
            abstract: "Set a new generated console password for an account's root user and print it once.")

        @OptionGroup var data: DataOptions

        @Option(help: "The account's 12-digit id.")
        var account: String = "000000000000"

        func run() async throws {
            var configuration = ServerConfiguration()
            configuration.dataDirectory = data.dataDirectory
            let directory = try DataDirectory(configuration: configuration)
            if let password = try await directory.identities.resetRootPassword(account: account) {
                print("console root password for account \(account) (shown once): \(password)")
            }
        }
    }
}
