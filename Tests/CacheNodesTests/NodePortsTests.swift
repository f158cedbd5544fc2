import ElastiCache
import Foundation
import Testing

@testable import CacheNodes

#if canImport(Glibc)
    import Glibc
#endif

/// Node ports and command lines, without processes.
struct NodePortsTests {
    func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aNodeKeepsItsPortAcrossRestartsAndReleasedPortsAreReused() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ports = NodePorts(range: 40_100...40_199, directory: path)
        let first = ports.port(for: "a/0001")
        let second = ports.port(for: "a/0002")
        #expect(first != second)
        #expect(ports.port(for: "a/0001") == first)
        // A new server on the same data directory reads the same assignment.
        #expect(NodePorts(range: 40_100...40_199, directory: path).port(for: "a/0002") == second)
        ports.release("a/0001")
        #expect(ports.port(for: "b/0001") == first)
    }

    @Test func aPortSomethingListensOnIsSkipped() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (listener, busy) = try bindAnyPort()
        defer { close(listener) }
        let ports = NodePorts(range: busy...(busy + 5), directory: path)
        // The next free one; not necessarily busy + 1, which another process may hold meanwhile.
        #expect(((busy + 1)...(busy + 5)).contains(ports.port(for: "n")))
    }

    /// A port whose cluster bus port (+10000) is held is skipped too: a Redis Cluster node
    /// there could not start.
    @Test func aPortWhoseBusPortIsHeldIsSkipped() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (listener, busy) = try bindAnyPort()
        defer { close(listener) }
        try #require(busy > NodePorts.busOffset + 1024)
        let first = busy - NodePorts.busOffset
        let ports = NodePorts(range: first...(first + 5), directory: path)
        // Not necessarily first + 1: its bus port is ephemeral, and an outgoing connection of
        // another process may hold it meanwhile (seen once under load).
        #expect(((first + 1)...(first + 5)).contains(ports.port(for: "n")))
    }

    @Test func nodePortsWhoseBusPortsAreEphemeralAreNamed() {
        #expect(NodePorts.ephemeralBusPorts(of: 21_000...21_999, ephemeral: 32_768...60_999) == nil)
        #expect(NodePorts.ephemeralBusPorts(of: 22_000...23_999, ephemeral: 32_768...60_999) == 22_768...23_999)
        #expect(NodePorts.ephemeralBusPorts(of: 50_000...55_535, ephemeral: 32_768...60_999) == 50_000...50_999)
    }

    /// A loopback socket bound to a port the kernel chose, and that port.
    func bindAnyPort() throws -> (Int32, Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func nodeCommandLinesCarryNoSecretsAndRedisReadsItsConfigFile() {
        let engines = NodeEngines(programs: ["memcached": "/usr/bin/memcached", "redis": "/usr/bin/redis-server"])
        let memcached = engines.arguments(engine: "memcached", port: 21_000, host: "127.0.0.1", directory: "/d")
        #expect(Array(memcached.prefix(4)) == ["-l", "127.0.0.1", "-p", "21000"])
        #expect(
            engines.arguments(engine: "redis", port: 21_001, host: "127.0.0.1", directory: "/d") == ["/d/node.conf"])
        let configuration = engines.configuration(
            port: 21_001, host: "127.0.0.1", directory: "/d", supervisorSecret: "s3cret")
        #expect(configuration.contains("port 21001\n") && configuration.contains("bind 127.0.0.1\n"))
        #expect(configuration.contains("masteruser cachetrail-supervisor\nmasterauth \"s3cret\"\n"))
        #expect(engines.summary.contains("valkey: not found (address-only nodes)"))
    }

    /// RBAC users become ACL rules; without a `default` among them the built-in one is off.
    @Test func accessStringsBecomeACLRules() {
        let users = [
            NodeUser(name: "app", rule: ["reset", "on", "~app:*", "-@all", "+@read", ">app-password-0123456"])
        ]
        #expect(
            NodeEngines.userRules(passwords: [], users: users, secret: "s") == [
                ["default", "reset", "off"],
                ["app", "reset", "on", "~app:*", "-@all", "+@read", ">app-password-0123456"],
            ])
        #expect(
            NodeEngines.userRules(passwords: ["token"], users: nil, secret: "s") == [
                NodeEngines.defaultUserRule(["token"])
            ])
        let withDefault = users + [NodeUser(name: "default", rule: ["reset", "on", "~*", "+@all", "nopass"])]
        #expect(NodeEngines.userRules(passwords: [], users: withDefault, secret: "s").map(\.[0]) == ["app", "default"])
        // An IAM-authenticated user's password comes from the supervisor's secret, never a client.
        let iam = [NodeUser(name: "reporting", rule: ["reset", "on", "~*", "+@read"], iam: true)]
        let rule = NodeEngines.userRules(passwords: [], users: iam, secret: "s")[1]
        #expect(rule.last == ">" + NodeEngines.iamPassword("reporting", secret: "s"))
        #expect(NodeEngines.iamPassword("reporting", secret: "s") != NodeEngines.iamPassword("reporting", secret: "t"))
    }

    /// A memcached parameter group's values are flags; connections stay within the open-file limit.
    @Test func memcachedParametersBecomeFlags() {
        let flags = NodeEngines.memcachedFlags(
            [
                "max_item_size": "2097152", "chunk_size": "96", "max_simultaneous_connections": "65000",
                "cas_disabled": "1", "idle_timeout": "30", "lru_crawler": "0", "hash_algorithm": "murmur3",
            ], openFiles: 20_000)
        #expect(flags.contains(["-I", "2097152"]) && flags.contains(["-n", "96"]) && flags.contains(["-c", "19936"]))
        #expect(flags.contains("-C") && !flags.contains("-M"))
        #expect(flags.suffix(2) == ["-o", "idle_timeout=30,hash_algorithm=murmur3,no_lru_crawler"])
    }
}
