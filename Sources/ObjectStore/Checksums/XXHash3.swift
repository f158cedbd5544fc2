/// XXH3 64-bit and 128-bit (seed 0, default secret), the `XXHASH3` and `XXHASH128` checksums.
enum XXHash3 {
    static let secret: [UInt8] = [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ]
    static let prime32_1: UInt64 = 0x9E37_79B1
    static let prime32_2: UInt64 = 0x85EB_CA77
    static let prime32_3: UInt64 = 0xC2B2_AE3D
    static let p1 = XXHash64.prime1
    static let p2 = XXHash64.prime2
    static let p3 = XXHash64.prime3
    static let p4 = XXHash64.prime4
    static let p5 = XXHash64.prime5
    static let mx1: UInt64 = 0x1656_6791_9E37_79F9
    static let mx2: UInt64 = 0x9FB2_1C65_1E98_DF25

    static func r64(_ b: [UInt8], _ at: Int) -> UInt64 { XXHash64.read64(b, at) }
    static func r32(_ b: [UInt8], _ at: Int) -> UInt64 { XXHash64.read32(b, at) }
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    static func mul128(_ a: UInt64, _ b: UInt64) -> (low: UInt64, high: UInt64) {
        let product = a.multipliedFullWidth(by: b)
        return (product.low, product.high)
    }

    static func fold64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let m = mul128(a, b)
        return m.low ^ m.high
    }

    static func xxh64Avalanche(_ h: UInt64) -> UInt64 {
        var h = h
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        return h ^ (h >> 32)
    }

    static func avalanche(_ h: UInt64) -> UInt64 {
        var h = h
        h ^= h >> 37
        h = h &* mx1
        return h ^ (h >> 32)
    }

    static func mix16(_ input: [UInt8], _ at: Int, _ s: Int) -> UInt64 {
        fold64(r64(input, at) ^ r64(secret, s), r64(input, at + 8) ^ r64(secret, s + 8))
    }

    // MARK: 64-bit

    static func hash64(_ input: [UInt8]) -> UInt64 {
        let len = input.count
        switch len {
        case 0:
            return xxh64Avalanche(r64(secret, 56) ^ r64(secret, 64))
        case 1...3:
            let combined =
                (UInt64(input[0]) << 16) | (UInt64(input[len >> 1]) << 24) | UInt64(input[len - 1]) | (UInt64(len) << 8)
            return xxh64Avalanche(combined ^ ((r32(secret, 0) ^ r32(secret, 4))))
        case 4...8:
            let input64 = r32(input, len - 4) &+ (r32(input, 0) << 32)
            var h = input64 ^ (r64(secret, 8) ^ r64(secret, 16))
            h ^= rotl(h, 49) ^ rotl(h, 24)
            h = h &* mx2
            h ^= (h >> 35) &+ UInt64(len)
            h = h &* mx2
            return h ^ (h >> 28)
        case 9...16:
            let low = r64(input, 0) ^ (r64(secret, 24) ^ r64(secret, 32))
            let high = r64(input, len - 8) ^ (r64(secret, 40) ^ r64(secret, 48))
            return avalanche(UInt64(len) &+ low.byteSwapped &+ high &+ fold64(low, high))
        case 17...128:
            var acc = UInt64(len) &* p1
            if len > 32 {
                if len > 64 {
                    if len > 96 {
                        acc = acc &+ mix16(input, 48, 96) &+ mix16(input, len - 64, 112)
                    }
                    acc = acc &+ mix16(input, 32, 64) &+ mix16(input, len - 48, 80)
                }
                acc = acc &+ mix16(input, 16, 32) &+ mix16(input, len - 32, 48)
            }
            acc = acc &+ mix16(input, 0, 0) &+ mix16(input, len - 16, 16)
            return avalanche(acc)
        case 129...240:
            var acc = UInt64(len) &* p1
            for i in 0..<8 { acc = acc &+ mix16(input, 16 * i, 16 * i) }
            acc = avalanche(acc)
            for i in 8..<(len / 16) { acc = acc &+ mix16(input, 16 * i, 16 * (i - 8) + 3) }
            acc = acc &+ mix16(input, len - 16, 136 - 17)
            return avalanche(acc)
        default:
            let acc = longAccumulate(input)
            return merge(acc, 11, UInt64(len) &* p1)
        }
    }

    // MARK: long inputs (both widths)

    static func longAccumulate(_ input: [UInt8]) -> [UInt64] {
        var acc: [UInt64] = [prime32_3, p1, p2, p3, p4, prime32_2, p5, prime32_1]
        let stripesPerBlock = (secret.count - 64) / 8
        let blockLength = 64 * stripesPerBlock
        let blocks = (input.count - 1) / blockLength
        for n in 0..<blocks {
            for s in 0..<stripesPerBlock { accumulate512(&acc, input, n * blockLength + s * 64, s * 8) }
            for i in 0..<8 {
                var value = acc[i]
                value ^= value >> 47
                value ^= r64(secret, secret.count - 64 + 8 * i)
                acc[i] = value &* prime32_1
            }
        }
        let stripes = ((input.count - 1) - blockLength * blocks) / 64
        for s in 0..<stripes { accumulate512(&acc, input, blocks * blockLength + s * 64, s * 8) }
        accumulate512(&acc, input, input.count - 64, secret.count - 64 - 7)
        return acc
    }

    static func accumulate512(_ acc: inout [UInt64], _ input: [UInt8], _ at: Int, _ s: Int) {
        for i in 0..<8 {
            let value = r64(input, at + 8 * i)
            let key = value ^ r64(secret, s + 8 * i)
            acc[i ^ 1] = acc[i ^ 1] &+ value
            acc[i] = acc[i] &+ (key & 0xFFFF_FFFF) &* (key >> 32)
        }
    }

    static func merge(_ acc: [UInt64], _ s: Int, _ start: UInt64) -> UInt64 {
        var result = start
        for i in 0..<4 {
            result =
                result &+ fold64(acc[2 * i] ^ r64(secret, s + 16 * i), acc[2 * i + 1] ^ r64(secret, s + 16 * i + 8))
        }
        return avalanche(result)
    }

    // MARK: 128-bit

    static func mix32(_ acc: inout (low: UInt64, high: UInt64), _ input: [UInt8], _ a: Int, _ b: Int, _ s: Int) {
        acc.low = acc.low &+ mix16(input, a, s)
        acc.low ^= r64(input, b) &+ r64(input, b + 8)
        acc.high = acc.high &+ mix16(input, b, s + 16)
        acc.high ^= r64(input, a) &+ r64(input, a + 8)
    }

    static func hash128(_ input: [UInt8]) -> (low: UInt64, high: UInt64) {
        let len = input.count
        switch len {
        case 0:
            return (
                xxh64Avalanche(r64(secret, 64) ^ r64(secret, 72)), xxh64Avalanche(r64(secret, 80) ^ r64(secret, 88))
            )
        case 1...3:
            let low32 =
                (UInt32(input[0]) << 16) | (UInt32(input[len >> 1]) << 24) | UInt32(input[len - 1]) | (UInt32(len) << 8)
            let swapped = low32.byteSwapped
            let high32 = (swapped << 13) | (swapped >> 19)
            let keyedLow = UInt64(low32) ^ (r32(secret, 0) ^ r32(secret, 4))
            let keyedHigh = UInt64(high32) ^ (r32(secret, 8) ^ r32(secret, 12))
            return (xxh64Avalanche(keyedLow), xxh64Avalanche(keyedHigh))
        case 4...8:
            let input64 = r32(input, 0) &+ (r32(input, len - 4) << 32)
            let keyed = input64 ^ (r64(secret, 16) ^ r64(secret, 24))
            var m = mul128(keyed, p1 &+ (UInt64(len) << 2))
            m.high = m.high &+ (m.low << 1)
            m.low ^= m.high >> 3
            m.low ^= m.low >> 35
            m.low = m.low &* mx2
            m.low ^= m.low >> 28
            return (m.low, avalanche(m.high))
        case 9...16:
            let flipLow = r64(secret, 32) ^ r64(secret, 40)
            let flipHigh = r64(secret, 48) ^ r64(secret, 56)
            let inputLow = r64(input, 0)
            var inputHigh = r64(input, len - 8)
            var m = mul128(inputLow ^ inputHigh ^ flipLow, p1)
            m.low = m.low &+ (UInt64(len - 1) << 54)
            inputHigh ^= flipHigh
            m.high = m.high &+ inputHigh &+ (inputHigh & 0xFFFF_FFFF) &* (prime32_2 &- 1)
            m.low ^= m.high.byteSwapped
            var h = mul128(m.low, p2)
            h.high = h.high &+ m.high &* p2
            return (avalanche(h.low), avalanche(h.high))
        case 17...128:
            var acc: (low: UInt64, high: UInt64) = (UInt64(len) &* p1, 0)
            if len > 32 {
                if len > 64 {
                    if len > 96 { mix32(&acc, input, 48, len - 64, 96) }
                    mix32(&acc, input, 32, len - 48, 64)
                }
                mix32(&acc, input, 16, len - 32, 32)
            }
            mix32(&acc, input, 0, len - 16, 0)
            return finish128(acc, len)
        case 129...240:
            var acc: (low: UInt64, high: UInt64) = (UInt64(len) &* p1, 0)
            for i in 0..<4 { mix32(&acc, input, 32 * i, 32 * i + 16, 32 * i) }
            acc = (avalanche(acc.low), avalanche(acc.high))
            for i in 4..<(len / 32) { mix32(&acc, input, 32 * i, 32 * i + 16, 3 + 32 * (i - 4)) }
            mix32(&acc, input, len - 16, len - 32, 136 - 17 - 16)
            return finish128(acc, len)
        default:
            let acc = longAccumulate(input)
            return (
                merge(acc, 11, UInt64(len) &* p1), merge(acc, secret.count - 64 - 11, ~(UInt64(len) &* p2))
            )
        }
    }

    static func finish128(_ acc: (low: UInt64, high: UInt64), _ len: Int) -> (low: UInt64, high: UInt64) {
        let low = acc.low &+ acc.high
        let high = (acc.low &* p1) &+ (acc.high &* p4) &+ (UInt64(len) &* p2)
        return (avalanche(low), 0 &- avalanche(high))
    }
}
