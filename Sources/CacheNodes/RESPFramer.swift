/// Where the commands of a client's request stream begin, across reads of any size, without
/// holding their bytes: RESP arrays of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline
/// commands (`PING\r\n`). The endpoints' IAM gate finds sign-ins (AUTH, HELLO) in it.
/// Bytes it cannot frame (not the protocol a node speaks) go on unexamined from then on: the
/// node answers them with its own protocol error.
struct RESPFramer {
    enum Unit: Equatable {
        /// The next `length` bytes go on unchanged; `commands` commands start in them.
        case pass(length: Int, commands: Int)
        /// A sign-in command starts at the first byte: it goes on only once whole and checked.
        case signIn
        /// Nothing more can be told before more bytes arrive.
        case more
    }

    /// Bulk strings of the current command still to frame.
    private var argumentsLeft = 0
    /// Bytes of the current bulk string (with its CRLF) still to pass.
    private var skip = 0
    /// The stream stopped being RESP: everything passes.
    private(set) var lost = false

    /// A header line (`*2`, `$3`) longer than this is not one.
    static let longestHeader = 24

    /// Frames from the start of `bytes`, which begins where the last unit ended. With
    /// `signIns`, a command named AUTH or HELLO stops the run (`.signIn` when it is first).
    mutating func next(_ bytes: UnsafeRawBufferPointer, signIns: Bool) -> Unit {
        if lost { return bytes.isEmpty ? .more : .pass(length: bytes.count, commands: 0) }
        var at = 0
        var commands = 0
        scan: while at < bytes.count {
            if skip > 0 {
                let count = min(skip, bytes.count - at)
                at += count
                skip -= count
                continue
            }
            if argumentsLeft > 0 {
                guard let (length, end) = header(bytes, at: at, marker: UInt8(ascii: "$")) else { break scan }
                at = end
                skip = max(length, 0) + (length >= 0 ? 2 : 0)
                argumentsLeft -= 1
                continue
            }
            switch bytes[at] {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                at += 1
            case UInt8(ascii: "*"):
                guard let (count, end) = header(bytes, at: at, marker: UInt8(ascii: "*")) else { break scan }
                if signIns {
                    switch signsIn(bytes, at: end, count: count) {
                    case true?: break scan
                    case nil: break scan
                    case false?: break
                    }
                }
                commands += 1
                argumentsLeft = max(count, 0)
                at = end
            default:
                guard let newline = bytes[at...].firstIndex(of: UInt8(ascii: "\n")) else {
                    if bytes.count - at > 64 * 1024 { lost = true }
                    break scan
                }
                if signIns, Self.isSignInName(inlineName(bytes, at: at, end: newline)) { break scan }
                commands += 1
                at = newline + 1
            }
        }
        if lost { return .pass(length: bytes.count, commands: commands) }
        if at > 0 { return .pass(length: at, commands: commands) }
        return signIns && startsSignIn(bytes) ? .signIn : .more
    }

    /// Whether the command at the start of `bytes` (nothing passed before it) is a sign-in.
    private mutating func startsSignIn(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "*") {
            guard let (count, end) = header(bytes, at: 0, marker: first) else { return false }
            return signsIn(bytes, at: end, count: count) == true
        }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return false }
        return Self.isSignInName(inlineName(bytes, at: 0, end: newline))
    }

    /// Whether the command whose first bulk string starts at `at` is named AUTH or HELLO (nil:
    /// its name has not arrived yet).
    private mutating func signsIn(_ bytes: UnsafeRawBufferPointer, at: Int, count: Int) -> Bool? {
        guard count > 0 else { return false }
        guard at < bytes.count else { return nil }
        guard let (length, end) = header(bytes, at: at, marker: UInt8(ascii: "$")) else { return lost ? false : nil }
        guard length == 4 || length == 5 else { return false }
        guard end + length <= bytes.count else { return nil }
        return Self.isSignInName(UnsafeRawBufferPointer(rebasing: bytes[end..<(end + length)]))
    }

    private func inlineName(_ bytes: UnsafeRawBufferPointer, at: Int, end: Int) -> UnsafeRawBufferPointer {
        var stop = at
        while stop < end, bytes[stop] != UInt8(ascii: " "), bytes[stop] != UInt8(ascii: "\r") { stop += 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[at..<stop])
    }

    static func isSignInName(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count == 4 || name.count == 5 else { return false }
        let upper = name.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }
        return upper.elementsEqual("AUTH".utf8) || upper.elementsEqual("HELLO".utf8)
    }

    /// `<marker><integer>\r\n` at `at`: the integer and the index after the line; nil when the
    /// line has not arrived (or is not one: the stream is then lost).
    private mutating func header(_ bytes: UnsafeRawBufferPointer, at: Int, marker: UInt8) -> (Int, Int)? {
        guard at < bytes.count else { return nil }
        guard bytes[at] == marker else {
            lost = true
            return nil
        }
        var value = 0
        var negative = false
        var index = at + 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9") where value < 1 << 40:
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "-") where index == at + 1:
                negative = true
            case UInt8(ascii: "\r"):
                guard index + 1 < bytes.count else { return nil }
                guard bytes[index + 1] == UInt8(ascii: "\n"), index > at + 1 else {
                    lost = true
                    return nil
                }
                return (negative ? -value : value, index + 2)
            default:
                lost = true
                return nil
            }
            index += 1
            if index - at > Self.longestHeader {
                lost = true
                return nil
            }
        }
        return nil
    }
}

/// A stream whose commands a meter counts.
protocol CommandFraming {
    /// The next run of whole bytes from the start of `bytes` (see ``RESPFramer/next(_:signIns:)``).
    mutating func next(_ bytes: UnsafeRawBufferPointer) -> RESPFramer.Unit
}

extension RESPFramer: CommandFraming {
    mutating func next(_ bytes: UnsafeRawBufferPointer) -> Unit { next(bytes, signIns: false) }
}

/// Where the commands of a memcached text-protocol stream begin: one per line, a storage
/// command's data block (`set k 0 0 5\r\nhello\r\n`, meta `ms k 5`) passed over, not counted.
/// The binary protocol, or a line too long to be a command, passes unexamined from then on.
struct MemcachedFramer: CommandFraming {
    /// Bytes of a data block (with its CRLF) still to pass.
    private var skip = 0
    private(set) var lost = false

    /// Storage commands and the position of their data length on the command line.
    static let dataLength: [String: Int] = [
        "set": 4, "add": 4, "replace": 4, "append": 4, "prepend": 4, "cas": 4, "ms": 2,
    ]

    mutating func next(_ bytes: UnsafeRawBufferPointer) -> RESPFramer.Unit {
        if lost || bytes.first == 0x80 {
            lost = true
            return bytes.isEmpty ? .more : .pass(length: bytes.count, commands: 0)
        }
        var at = 0
        var commands = 0
        while at < bytes.count {
            if skip > 0 {
                let count = min(skip, bytes.count - at)
                at += count
                skip -= count
                continue
            }
            guard let newline = bytes[at...].firstIndex(of: UInt8(ascii: "\n")) else {
                if bytes.count - at > 64 * 1024 {
                    lost = true
                    return .pass(length: bytes.count, commands: commands)
                }
                break
            }
            let words = String(decoding: bytes[at..<newline], as: UTF8.self)
                .split(whereSeparator: { $0 == " " || $0 == "\r" })
            if let verb = words.first?.lowercased(), let position = Self.dataLength[verb], position < words.count,
                let length = Int(words[position]), length >= 0
            {
                skip = length + 2
            }
            if !words.isEmpty { commands += 1 }
            at = newline + 1
        }
        return at > 0 ? .pass(length: at, commands: commands) : .more
    }
}
