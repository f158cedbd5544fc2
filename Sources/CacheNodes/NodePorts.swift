import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The ports of node processes: each node keeps the port it was first given (stored in
/// `<data>/nodes/ports.json`), chosen from a configured range and checked free when given,
/// together with its cluster bus port (+10000), which a Redis Cluster node binds as well.
package final class NodePorts: Sendable {
    private let state: Mutex<[String: Int]>
    private let range: ClosedRange<Int>
    private let file: String

    package init(range: ClosedRange<Int>, directory: String) {
        self.range = range
        self.file = directory + "/ports.json"
        let saved = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/ports.json")))
            .flatMap { try? JSONDecoder().decode([String: Int].self, from: $0) }
        state = Mutex(saved ?? [:])
    }

    /// The port of `node`, given now if it has none.
    package func port(for node: String) -> Int {
        let (port, added) = state.withLock { ports -> (Int, Bool) in
            if let port = ports[node] { return (port, false) }
            let taken = Set(ports.values)
            let port =
                range.first { !taken.contains($0) && Self.isFree($0) && Self.isFree($0 + Self.busOffset) }
                ?? range.upperBound
            ports[node] = port
            return (port, true)
        }
        if added { save() }
        return port
    }

    /// The port of `node` if it has one (none is given).
    package func existing(_ node: String) -> Int? {
        state.withLock { $0[node] }
    }

    /// Forgets `node`: its port may be given to another.
    package func release(_ node: String) {
        let removed = state.withLock { $0.removeValue(forKey: node) != nil }
        if removed { save() }
    }

    private func save() {
        let ports = state.withLock { $0 }
        if let data = try? JSONEncoder().encode(ports) {
            try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
        }
    }

    /// A Redis Cluster node's bus port is its port plus this.
    package static let busOffset = 10_000

    /// The part of `range` whose bus ports lie in the kernel's ephemeral range
    /// (`/proc/sys/net/ipv4/ip_local_port_range`): the local port of any outgoing connection
    /// can hold such a bus port, and a node that cannot bind it exits at once.
    package static func ephemeralBusPorts(of range: ClosedRange<Int>, ephemeral: ClosedRange<Int>) -> ClosedRange<Int>?
    {
        let bus = (range.lowerBound + busOffset)...(range.upperBound + busOffset)
        guard bus.overlaps(ephemeral) else { return nil }
        return
            (max(bus.lowerBound, ephemeral.lowerBound) - busOffset)...(min(bus.upperBound, ephemeral.upperBound)
            - busOffset)
    }

    /// The kernel's ephemeral port range, when it can be read.
    package static func localPortRange() -> ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        else { return nil }
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return nil }
        return bounds[0]...bounds[1]
    }

    /// Whether nothing listens on loopback at `port` (a bind succeeds).
    static func isFree(_ port: Int) -> Bool {
        guard port <= 65_535 else { return true }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
