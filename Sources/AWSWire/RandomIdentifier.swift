import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// UUIDs in the lowercase form AWS prints for request, event and message ids: random (version
/// 4), or ordered by time (version 7) for event ids.
/// Foundation's `UUID()` on Linux opens, reads and closes /dev/urandom for each one, three system
/// calls and a path lookup on every API call; these take their 16 bytes from the system
/// generator (`getrandom(2)`, no file), read ahead 4 KiB (256 ids) at a time.
package enum RandomIdentifier {
    /// A new random UUID, lowercase: `6ba7b810-9dad-41d1-80b4-00c04fd430c8`.
    package static func uuid() -> String {
        var bytes = randomBytes()
        bytes.6 = bytes.6 & 0x0F | 0x40  // version 4
        bytes.8 = bytes.8 & 0x3F | 0x80  // RFC 4122 variant
        return format(bytes)
    }

    /// A new UUID of version 7 (RFC 9562): the milliseconds since 1970 of `time` in its first
    /// 48 bits, then 74 random bits. Ids made in order sort in order (to the millisecond), so an
    /// index keyed by them grows at its end instead of writing a random page for each: the
    /// journal index keys every event by its id.
    package static func timeOrdered(at time: Date) -> String {
        var bytes = randomBytes()
        let milliseconds = UInt64(max(0, (time.timeIntervalSince1970 * 1_000).rounded(.down)))
        bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
        bytes.6 = bytes.6 & 0x0F | 0x70  // version 7
        bytes.8 = bytes.8 & 0x3F | 0x80  // RFC 4122 variant
        return format(bytes)
    }

    /// `bytes` as a lowercase UUID string.
    private static func format(_ bytes: uuid_t) -> String {
        withUnsafeBytes(of: bytes) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                let digits: StaticString = "0123456789abcdef"
                var at = 0
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    out[at] = digits.utf8Start[Int(byte >> 4)]
                    out[at + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    /// 16 bytes from the system generator, handed out from a buffer filled 4 KiB at a time:
    /// each API call takes two (its request id and its event id), and a `getrandom(2)` for each
    /// was two system calls per call on the request path.
    private static func randomBytes() -> uuid_t {
        pool.withLock { $0.next() }
    }

    private static let pool = Mutex(RandomPool())
}

/// Random bytes from the system generator, read ahead.
struct RandomPool: ~Copyable {
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4_096, alignment: 8)
    private var used = 4_096

    /// The next 16 unused bytes, refilling first when too few remain.
    mutating func next() -> uuid_t {
        if used + 16 > buffer.count { refill() }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let taken = buffer[used..<(used + 16)]
        withUnsafeMutableBytes(of: &bytes) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: taken)) }
        // Handed out once: what was given is not kept.
        taken.initializeMemory(as: UInt8.self, repeating: 0)
        used += 16
        return bytes
    }

    /// `getentropy(3)` gives at most 256 bytes a call (one `getrandom(2)` each): 16 ids a system call.
    private mutating func refill() {
        var filled = 0
        while filled < buffer.count {
            let chunk = min(256, buffer.count - filled)
            if getentropy(buffer.baseAddress.map { $0 + filled }, chunk) != 0 {
                // No kernel generator (it always exists on Linux 3.17+): the standard library's.
                var generator = SystemRandomNumberGenerator()
                for offset in filled..<(filled + chunk) {
                    buffer.storeBytes(of: generator.next() as UInt8, toByteOffset: offset, as: UInt8.self)
                }
            }
            filled += chunk
        }
        used = 0
    }

    deinit { buffer.deallocate() }
}
