import CZlib
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
        case .crc32: Self.base64(UInt64(CRC.crc32(bytes)), bytes: 4)
        case .crc32c: Self.base64(UInt64(CRC.crc32c.checksum(bytes)), bytes: 4)
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

/// The CRCs S3 checks (reflected, as zlib, iSCSI and NVMe define them): CRC32 is zlib's own
/// (a 64 MiB upload's default checksum; byte-at-a-time it was a quarter of the PUT's CPU),
/// CRC32C and CRC64/NVME are computed eight bytes at a time (slicing-by-8).
enum CRC {
    static let crc32c = SlicedCRC<UInt32>(reflectedPolynomial: 0x82F6_3B78)
    static let crc64 = SlicedCRC<UInt64>(reflectedPolynomial: 0x9A6C_9329_AC4B_C9B5)

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32_z(0, buffer.baseAddress, buffer.count))
        }
    }

    static func crc64nvme(_ bytes: [UInt8]) -> UInt64 { crc64.checksum(bytes) }
}

/// A reflected CRC of up to 64 bits with slicing-by-8 tables: table k gives a byte's effect
/// k bytes before the end of an 8-byte block.
struct SlicedCRC<Value: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    private let tables: [Value]

    init(reflectedPolynomial polynomial: Value) {
        var tables = [Value](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = Value(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[index] = crc
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(truncatingIfNeeded: previous & 0xFF)]
            }
        }
        self.tables = tables
    }

    func checksum(_ bytes: [UInt8]) -> Value {
        var crc = ~Value(0)
        tables.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                var offset = 0
                while offset + 8 <= input.count {
                    var word: UInt64 = 0
                    for byte in 0..<8 { word |= UInt64(input[offset + byte]) << (8 * UInt64(byte)) }
                    word ^= UInt64(truncatingIfNeeded: crc)
                    var next: Value = 0
                    for byte in 0..<8 {
                        next ^= table[(7 - byte) * 256 + Int(truncatingIfNeeded: (word >> (8 * UInt64(byte))) & 0xFF)]
                    }
                    crc = next
                    offset += 8
                }
                while offset < input.count {
                    crc = (crc >> 8) ^ table[Int(truncatingIfNeeded: (crc ^ Value(input[offset])) & 0xFF)]
                    offset += 1
                }
            }
        }
        return ~crc
    }
}
