/// XXH64 (seed 0), the `XXHASH64` checksum S3 and the SDKs compute.
enum XXHash64 {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* prime2, 31) &* prime1
    }

    static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* prime1 &+ prime4
    }

    static func read64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return value
    }

    static func read32(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<4 { value |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return value
    }

    static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        var index = 0
        var acc: UInt64
        if bytes.count >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while index + 32 <= bytes.count {
                v1 = round(v1, read64(bytes, index))
                v2 = round(v2, read64(bytes, index + 8))
                v3 = round(v3, read64(bytes, index + 16))
                v4 = round(v4, read64(bytes, index + 24))
                index += 32
            }
            acc = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            acc = merge(merge(merge(merge(acc, v1), v2), v3), v4)
        } else {
            acc = seed &+ prime5
        }
        acc = acc &+ UInt64(bytes.count)
        while index + 8 <= bytes.count {
            acc ^= round(0, read64(bytes, index))
            acc = rotl(acc, 27) &* prime1 &+ prime4
            index += 8
        }
        if index + 4 <= bytes.count {
            acc ^= read32(bytes, index) &* prime1
            acc = rotl(acc, 23) &* prime2 &+ prime3
            index += 4
        }
        while index < bytes.count {
            acc ^= UInt64(bytes[index]) &* prime5
            acc = rotl(acc, 11) &* prime1
            index += 1
        }
        acc ^= acc >> 33
        acc = acc &* prime2
        acc ^= acc >> 29
        acc = acc &* prime3
        acc ^= acc >> 32
        return acc
    }
}
