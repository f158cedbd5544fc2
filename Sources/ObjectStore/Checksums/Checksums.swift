import Crypto
import Foundation
import SigV4

/// The checksums S3 computes and compares: `x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`,
/// `-sha1`, `-sha256`, `-sha512`, `-md5`, `-xxhash64`, `-xxhash3`, `-xxhash128` (base64 of the
/// big-endian digest): every algorithm the S3 model lists. And the MD5 behind ETags.
package enum ChecksumAlgorithm: String, Sendable, Codable, CaseIterable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"
    case xxhash64 = "XXHASH64"
    case xxhash3 = "XXHASH3"
    case xxhash128 = "XXHASH128"
    case md5 = "MD5"

    /// The header carrying this checksum.
    package var header: String { "x-amz-checksum-\(rawValue.lowercased())" }

    /// The model member carrying it (`ChecksumCRC32`, …).
    package var member: String { "Checksum\(rawValue)" }

    package func digest(_ bytes: [UInt8]) -> String {
        switch self {
        case .crc32: Self.base64(UInt64(CRC.crc32(bytes, table: CRC.crc32Table)), bytes: 4)
        case .crc32c: Self.base64(UInt64(CRC.crc32(bytes, table: CRC.crc32cTable)), bytes: 4)
        case .crc64nvme: Self.base64(CRC.crc64nvme(bytes), bytes: 8)
        case .sha1: Data(Insecure.SHA1.hash(data: bytes)).base64EncodedString()
        case .sha256: Data(SHA256.hash(data: bytes)).base64EncodedString()
        case .sha512: Data(SHA512.hash(data: bytes)).base64EncodedString()
        case .xxhash64: Self.base64(XXHash64.hash(bytes), bytes: 8)
        case .xxhash3: Self.base64(XXHash3.hash64(bytes), bytes: 8)
        case .xxhash128:
            Data(
                [XXHash3.hash128(bytes).high, XXHash3.hash128(bytes).low].flatMap { value in
                    (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }
                }
            ).base64EncodedString()
        case .md5: Self.md5Base64(bytes)
        }
    }

    static func base64(_ value: UInt64, bytes: Int) -> String {
        Data((0..<bytes).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }).base64EncodedString()
    }

    /// `"d41d8cd98f00b204e9800998ecf8427e"`: the hex MD5 ETags are made of.
    package static func md5Hex(_ bytes: [UInt8]) -> String {
        SigV4.hex(Insecure.MD5.hash(data: bytes))
    }

    package static func md5Base64(_ bytes: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
    }
}

/// Table-driven CRCs (reflected, as zlib, iSCSI and NVMe define them).
enum CRC {
    static let crc32Table = table32(0xEDB8_8320)
    static let crc32cTable = table32(0x82F6_3B78)
    static let crc64Table: [UInt64] = (0..<256).map { index in
        var crc = UInt64(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x9A6C_9329_AC4B_C9B5 : crc >> 1 }
        return crc
    }

    static func table32(_ polynomial: UInt32) -> [UInt32] {
        (0..<256).map { index in
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            return crc
        }
    }

    static func crc32(_ bytes: [UInt8], table: [UInt32]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)] }
        return crc ^ 0xFFFF_FFFF
    }

    static func crc64nvme(_ bytes: [UInt8]) -> UInt64 {
        var crc: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
        for byte in bytes { crc = (crc >> 8) ^ crc64Table[Int((crc ^ UInt64(byte)) & 0xFF)] }
        return crc ^ 0xFFFF_FFFF_FFFF_FFFF
    }
}
