import Foundation

/// Which server program backs which engine: `memcached` for memcached, `valkey-server` for
/// valkey when it is on PATH (else `redis-server`, which speaks the same protocol), and
/// `redis-server` for redis.
package struct NodeEngines: Sendable {
    /// Absolute paths by engine name; an engine without one has address-only nodes.
    package let programs: [String: String]

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
    }

    package init(programs: [String: String]) {
        self.programs = programs
    }

    /// What the start-up log says about node processes.
    package var summary: String {
        ["memcached", "redis", "valkey"].map { engine in
            "\(engine): \(programs[engine] ?? "not found (address-only nodes)")"
        }.joined(separator: ", ")
    }

    /// The command line of a node (no secrets: those go into the node's 0600 config file).
    func arguments(engine: String, port: Int, host: String, directory: String) -> [String] {
        if engine == "memcached" {
            var arguments = ["-l", host, "-p", String(port), "-U", "0", "-m", "64", "-t", "1"]
            // memcached refuses to run as root unless told which user to run as.
            if getuid() == 0 { arguments += ["-u", "root"] }
            return arguments
        }
        return [directory + "/node.conf"]
    }

    /// A Redis/Valkey node's configuration file: loopback, this port, no persistence yet.
    func configuration(port: Int, host: String, directory: String) -> String {
        """
        bind \(host)
        port \(port)
        dir \(directory)
        save ""
        appendonly no
        daemonize no
        protected-mode no

        """
    }
}
