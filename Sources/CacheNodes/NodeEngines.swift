import ElastiCache
import Foundation
import SigV4

/// Which server program backs which engine: `memcached` for memcached, `valkey-server` for
/// valkey when it is on PATH (else `redis-server`, which speaks the same protocol), and
/// `redis-server` for redis.
package struct NodeEngines: Sendable {
    /// Absolute paths by engine name; an engine without one has address-only nodes.
    package let programs: [String: String]
    /// `valkey-cli` or `redis-cli`: moves slots and their keys when a cluster-mode group is
    /// resharded (`--cluster rebalance`).
    package let clusterTool: String?

    /// The first executable `name` on `path` (a `PATH` value), like `which`.
    package static func which(
        _ name: String, path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    ) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    package init(path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") {
        func find(_ name: String) -> String? { Self.which(name, path: path) }
        var programs: [String: String] = [:]
        programs["memcached"] = find("memcached")
        programs["redis"] = find("redis-server")
        programs["valkey"] = find("valkey-server") ?? find("redis-server")
        self.programs = programs
        clusterTool = find("valkey-cli") ?? find("redis-cli")
    }

    package init(programs: [String: String], clusterTool: String? = nil) {
        self.programs = programs
        self.clusterTool = clusterTool
    }

    /// What the start-up log says about node processes.
    package var summary: String {
        ["memcached", "redis", "valkey"].map { engine in
            "\(engine): \(programs[engine] ?? "not found (address-only nodes)")"
        }.joined(separator: ", ")
    }

    /// The command line of a node (no secrets: those go into the node's 0600 config file).
    func arguments(engine: String, port: Int, host: String, directory: String, settings: NodeSettings? = nil)
        -> [String]
    {
        if engine == "memcached" {
            // -m: the node type's memory in megabytes (allocated as items arrive, not at start).
            let megabytes = settings?.memoryBytes.map { max(64, $0 / 1_048_576) } ?? 64
            var arguments = ["-l", host, "-p", String(port), "-U", "0", "-m", String(megabytes), "-t", "1"]
            arguments += Self.memcachedFlags(settings?.parameters ?? [:])
            // memcached refuses to run as root unless told which user to run as.
            if getuid() == 0 { arguments += ["-u", "root"] }
            return arguments
        }
        return [directory + "/node.conf"]
    }

    /// The user cachetrail itself manages Redis/Valkey nodes as (settings, users, replication,
    /// cluster formation): every command, a secret of this server process, and the user a
    /// replica authenticates to its primary as.
    static let supervisorUser = "cachetrail-supervisor"

    /// Memcached's flags for its parameter group's values (the user guide's parameters, by
    /// their memcached names); connections are capped at what this process may open.
    static func memcachedFlags(_ parameters: [String: String], openFiles: Int = maxOpenFiles) -> [String] {
        var flags: [String] = []
        var options: [String] = []
        let numeric: [(String, String)] = [
            ("backlog_queue_limit", "-b"), ("chunk_size", "-n"), ("chunk_size_growth_factor", "-f"),
            ("max_item_size", "-I"), ("requests_per_event", "-R"), ("binding_protocol", "-B"),
        ]
        for (name, flag) in numeric { if let value = parameters[name] { flags += [flag, value] } }
        if let connections = parameters["max_simultaneous_connections"].flatMap(Int.init) {
            flags += ["-c", String(max(16, min(connections, openFiles - 64)))]
        }
        if parameters["cas_disabled"] == "1" { flags.append("-C") }
        if parameters["error_on_memory_exhausted"] == "1" { flags.append("-M") }
        if let timeout = parameters["idle_timeout"], timeout != "0" { options.append("idle_timeout=\(timeout)") }
        if let algorithm = parameters["hash_algorithm"] { options.append("hash_algorithm=\(algorithm)") }
        if let automove = parameters["slab_automove"] { options.append("slab_automove=\(automove)") }
        if parameters["lru_crawler"] == "0" { options.append("no_lru_crawler") }
        if parameters["lru_maintainer"] == "0" { options.append("no_lru_maintainer") }
        if parameters["expirezero_does_not_evict"] == "1" { options.append("expirezero_does_not_evict") }
        return flags + (options.isEmpty ? [] : ["-o", options.joined(separator: ",")])
    }

    /// This process's hard limit of open files (memcached refuses a -c it cannot open).
    static var maxOpenFiles: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(min(limit.rlim_max, 1 << 20))
    }

    /// A Redis/Valkey node's configuration file: loopback, this port, no persistence yet, its
    /// users (the file is 0600: tokens and passwords never appear in process arguments), for a
    /// replica its primary, and cluster mode for a cluster-mode group's.
    func configuration(
        port: Int, host: String, directory: String, passwords: [String] = [], settings: NodeSettings? = nil,
        replicaOf: Int? = nil, clustered: Bool = false, announcePort: Int? = nil, supervisorSecret: String
    ) -> String {
        var text = """
            bind \(host)
            port \(port)
            dir \(directory)
            save ""
            appendonly no
            shutdown-on-sigterm save
            daemonize no
            protected-mode no

            """
        if let memory = settings?.memoryBytes { text += "maxmemory \(memory)\n" }
        for (name, value) in (settings?.parameters ?? [:]).sorted(by: { $0.key < $1.key }) {
            text += "\(name) \(Self.quoted(value))\n"
        }
        let customers = Self.userRules(passwords: passwords, users: settings?.users, secret: supervisorSecret)
        for rule in customers + [supervisorRule(supervisorSecret)] {
            text += "user \(rule.map(Self.quoted).joined(separator: " "))\n"
        }
        // Any node of a group may be a replica (now or after a failover).
        text += "masteruser \(Self.supervisorUser)\nmasterauth \(Self.quoted(supervisorSecret))\n"
        if let replicaOf { text += "replicaof \(host) \(replicaOf)\n" }
        // A cluster-mode node keeps its view of the cluster in its own directory.
        if clustered { text += "cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\n" }
        if clustered, let announcePort {
            text += "cluster-announce-port \(announcePort)\ncluster-announce-bus-port \(port + 10_000)\n"
        }
        return text
    }

    /// The node's customer-facing users, each as `name` then its rule: a replication group's
    /// RBAC users when it has user groups (the group's `default` replaces the built-in one, which
    /// is otherwise off), else the default user with the AUTH tokens.
    /// An IAM-authenticated user's password is derived from the supervisor's secret.
    static func userRules(passwords: [String], users: [NodeUser]?, secret: String) -> [[String]] {
        guard let users else { return [defaultUserRule(passwords)] }
        let rules = users.map { [$0.name] + $0.rule + ($0.iam ? [">" + iamPassword($0.name, secret: secret)] : []) }
        return users.contains { $0.name == "default" } ? rules : [["default", "reset", "off"]] + rules
    }

    /// `bytes` random bytes in hexadecimal: a password no one is told.
    static func randomSecret(bytes: Int) -> String {
        (0..<bytes).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
    }

    /// The password an IAM-authenticated user has on the nodes: never shown to a client (the
    /// group's endpoints put it in place of a verified IAM auth token).
    static func iamPassword(_ user: String, secret: String) -> String {
        SigV4.hmacHex(key: secret, "iam-user:" + user)
    }

    func supervisorRule(_ secret: String) -> [String] {
        [Self.supervisorUser, "reset", "on", ">" + secret, "~*", "&*", "+@all"]
    }

    /// The default user's ACL rule: every command and key, these passwords (or none).
    static func defaultUserRule(_ passwords: [String]) -> [String] {
        ["default", "on", "resetpass"] + (passwords.isEmpty ? ["nopass"] : passwords.map { ">" + $0 })
            + ["~*", "&*", "+@all"]
    }

    /// A configuration-file argument in double quotes, `\` and `"` escaped.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
