import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a node program with posix_spawn: standard input from /dev/null, output to the node's
/// log, and every signal back to its default and unblocked — the server ignores or blocks
/// SIGTERM for its own shutdown handling, and a child would otherwise inherit that.
enum NodeProcess {
    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "posix_spawn failed: \(String(cString: strerror(code)))" }
    }

    /// Starts `program`; `environment` entries are added to the server's own (a secret goes
    /// there, never into the arguments `ps` shows).
    static func spawn(_ program: String, arguments: [String], log: String, environment: [String: String] = [:]) throws
        -> pid_t
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, given in given }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(code: result) }
        return pid
    }

    /// Runs `program` to its end (a tool such as `redis-cli`), polling without blocking a
    /// thread; answers its exit status (nil when it did not start or ran past `timeout`).
    static func run(
        _ program: String, arguments: [String], log: String, environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async -> Int32? {
        guard let pid = try? spawn(program, arguments: arguments, log: log, environment: environment) else {
            return nil
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard clock.now < deadline else {
                stop(pid)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    /// Whether `pid` runs; reaps it if it has exited.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { return false }
        // Not our child (an orphan of an earlier run): ask the kernel whether it exists.
        if reaped == -1 { return kill(pid, 0) == 0 }
        return true
    }

    /// SIGTERM, then SIGKILL if it has not exited within five seconds.
    static func stop(_ pid: pid_t) {
        guard isAlive(pid) else { return }
        kill(pid, SIGTERM)
        for _ in 0..<250 where isAlive(pid) { usleep(20_000) }
        if isAlive(pid) {
            kill(pid, SIGKILL)
            for _ in 0..<50 where isAlive(pid) { usleep(20_000) }
        }
    }
}
