import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// UUIDs in the lowercase form AWS prints for request, event and message ids: random (version
/// 4), or ordered by time (version 7) for event ids.
/// Foundation's `UUID()` on Linux opens, reads and closes /dev/urandom for each one, three system
/// calls and a path lookup on every API call; this takes its 16 bytes from the
/// system generator (`getrandom(2)`, no file).
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

    /// 16 bytes of one `getentropy(3)` (a single `getrandom(2)`; the standard library's
    /// generator makes one per 8 bytes).
    private static func randomBytes() -> uuid_t {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            guard getentropy(raw.baseAddress, raw.count) != 0 else { return }
            var generator = SystemRandomNumberGenerator()
            raw.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
        }
        return bytes
    }
}
