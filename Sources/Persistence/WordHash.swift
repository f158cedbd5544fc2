/// A word-at-a-time hash, eight bytes a step (each field's length mixed in after it, so fields
/// cannot run into each other): the journal index's keys (``AttributeKey``) and read-event
/// segments' checksums (``ReadEventLog``). Not for adversaries: a key's collisions only cost a
/// lookup rows it skips, and a segment is the server's own file. Hashes are stored, so changing
/// this changes both formats.
struct WordHash {
    private var state: UInt64 = 0x243F_6A88_85A3_08D3

    mutating func mix(_ word: UInt64) {
        state = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 29
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 8 <= bytes.count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        mix(tail)
        mix(UInt64(bytes.count))
    }

    func finish() -> UInt64 {
        var hash = state ^ (state >> 31)
        hash &*= 0xBF58_476D_1CE4_E5B9
        return hash ^ (hash >> 32)
    }

    /// The hash of one field.
    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = WordHash()
        hash.add(bytes)
        return hash.finish()
    }
}
