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

    /// Sends RESP commands to a Redis/Valkey node and answers whether none was refused (most
    /// answer `+OK`; ACL DELUSER answers how many users it removed).
    static func command(host: String, port: Int, _ commands: [[String]]) -> Bool {
        guard let replies = replies(host: host, port: port, commands), replies.count == commands.count else {
            return false
        }
        return !replies.contains { if case .error = $0 { true } else { false } }
    }

    /// Sends RESP commands on one connection and answers their replies, in order; stops at the
    /// first error reply (it is the last one answered). Nil when the node cannot be reached.
    static func replies(host: String, port: Int, _ commands: [[String]], seconds: Int = 2) -> [RESPReply]? {
        guard let descriptor = connection(host: host, port: port, seconds: seconds) else { return nil }
        defer { close(descriptor) }
        var replies: [RESPReply] = []
        var received: [UInt8] = []
        for arguments in commands {
            let bytes = Array(respCommand(arguments).utf8)
            guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
                return nil
            }
            while true {
                if let (reply, used) = RESPReply.parse(received[...]) {
                    received.removeFirst(used)
                    replies.append(reply)
                    break
                }
                var buffer = [UInt8](repeating: 0, count: 16_384)
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return nil }
                received += buffer[0..<count]
            }
            if case .error = replies.last { return replies }
        }
        return replies
    }
}

/// A command as a RESP array of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`).
func respCommand(_ words: [String]) -> String {
    "*\(words.count)\r\n" + words.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
}

/// One RESP reply.
enum RESPReply: Equatable {
    case simple(String)
    case error(String)
    case integer(Int)
    case bulk(String?)
    case array([RESPReply]?)

    /// The text of a simple or bulk reply.
    var text: String? {
        switch self {
        case .simple(let text): text
        case .bulk(let text): text
        default: nil
        }
    }

    /// The first whole reply in `bytes` and how many bytes it took; nil when more must arrive.
    static func parse(_ bytes: ArraySlice<UInt8>) -> (RESPReply, Int)? {
        guard let first = bytes.first, let end = bytes.firstIndex(of: UInt8(ascii: "\n")),
            end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\r")
        else { return nil }
        let line = String(decoding: bytes[(bytes.startIndex + 1)..<(end - 1)], as: UTF8.self)
        let headerLength = end - bytes.startIndex + 1
        switch first {
        case UInt8(ascii: "+"): return (.simple(line), headerLength)
        case UInt8(ascii: "-"): return (.error(line), headerLength)
        case UInt8(ascii: ":"): return (.integer(Int(line) ?? 0), headerLength)
        case UInt8(ascii: "$"):
            guard let length = Int(line) else { return nil }
            if length < 0 { return (.bulk(nil), headerLength) }
            let start = end + 1
            guard bytes.endIndex >= start + length + 2 else { return nil }
            return (.bulk(String(decoding: bytes[start..<(start + length)], as: UTF8.self)), headerLength + length + 2)
        case UInt8(ascii: "*"):
            guard let count = Int(line) else { return nil }
            if count < 0 { return (.array(nil), headerLength) }
            var items: [RESPReply] = []
            var used = headerLength
            for _ in 0..<count {
                guard let (item, length) = parse(bytes[(bytes.startIndex + used)...]) else { return nil }
                items.append(item)
                used += length
            }
            return (.array(items), used)
        default: return nil
        }
    }
}
