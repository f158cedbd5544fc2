import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks a node whether it serves: `PING` (Redis, Valkey) or `version` (memcached) over TCP.
enum NodeProbe {
    /// A TCP connection to the node, with send and receive timeouts; the caller closes it.
    private static func connection(host: String, port: Int, seconds: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    static func answers(engine: String, host: String, port: Int) -> Bool {
        guard let descriptor = connection(host: host, port: port, seconds: 1) else { return false }
        defer { close(descriptor) }
        let request = Array((engine == "memcached" ? "version\r\n" : "PING\r\n").utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            return false
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        let answer = String(decoding: buffer[0..<count], as: UTF8.self)
        // A node with AUTH answers an unauthenticated PING with its NOAUTH error: it serves.
        return engine == "memcached"
            ? answer.hasPrefix("VERSION") : answer.hasPrefix("+PONG") || answer.hasPrefix("-NOAUTH")
    }

    /// Sends RESP commands to a Redis/Valkey node and answers whether every reply was `+OK`.
    static func command(host: String, port: Int, _ commands: [[String]]) -> Bool {
        guard let descriptor = connection(host: host, port: port, seconds: 2) else { return false }
        defer { close(descriptor) }
        for arguments in commands {
            var request = "*\(arguments.count)\r\n"
            for argument in arguments { request += "$\(argument.utf8.count)\r\n\(argument)\r\n" }
            let bytes = Array(request.utf8)
            guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
                return false
            }
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0, String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("+OK") else { return false }
        }
        return true
    }
}
