import Foundation
import Testing

@testable import ObjectStore

struct ChecksumTests {
    let hello = Array("hello world".utf8)

    /// Values from the algorithms' reference implementations (zlib, iSCSI, NVMe, OpenSSL).
    @Test func knownDigests() {
        #expect(ChecksumAlgorithm.crc32.digest(hello) == "DUoRhQ==")
        #expect(ChecksumAlgorithm.crc32c.digest(hello) == "yZRlqg==")
        #expect(ChecksumAlgorithm.sha1.digest(hello) == "Kq5sNclPz7QV2+lfQIuc6R7oRu0=")
        #expect(ChecksumAlgorithm.sha256.digest(hello) == "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        #expect(
            ChecksumAlgorithm.sha512.digest(hello)
                == "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==")
        #expect(ChecksumAlgorithm.md5Hex(hello) == "5eb63bbbe01eeed093cb22bb8f5acdc3")
        #expect(ChecksumAlgorithm.md5Hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
    }

    /// The reference implementation's values for XXH64 with seed 0.
    @Test func xxhash64Vectors() {
        #expect(XXHash64.hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        let long = Array("Nobody inspects the spammish repetition".utf8)
        #expect(XXHash64.hash(long) == 0xFBCE_A83C_8A37_8BF1)
    }

    /// The eight-bytes-at-a-time CRCs and zlib's CRC32 agree with the bit-at-a-time
    /// definition at every length around the 8-byte blocks.
    @Test func fastCRCsMatchTheDefinition() {
        func bitwise<Value: FixedWidthInteger & UnsignedInteger>(_ bytes: [UInt8], _ polynomial: Value) -> Value {
            var crc = ~Value(0)
            for byte in bytes {
                crc ^= Value(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            }
            return ~crc
        }
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC.crc32(bytes) == bitwise(bytes, UInt32(0xEDB8_8320)), "crc32 of \(count) bytes")
            #expect(CRC.crc32c.checksum(bytes) == bitwise(bytes, UInt32(0x82F6_3B78)), "crc32c of \(count) bytes")
            #expect(CRC.crc64nvme(bytes) == bitwise(bytes, UInt64(0x9A6C_9329_AC4B_C9B5)), "crc64 of \(count) bytes")
        }
    }

    @Test func crc64nvmeCheckValue() {
        // The standard check input "123456789" gives 0xAE8B14860A799888 for CRC-64/NVME.
        #expect(CRC.crc64nvme(Array("123456789".utf8)) == 0xAE8B_1486_0A79_9888)
    }
}

struct BlobStoreTests {
    @Test func roundTripRangesAndNoPlaintextOnDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try EncryptedBlobStore(dataDirectory: directory.path)
        var bytes = [UInt8](repeating: 0, count: 3 * EncryptedBlobStore.chunkSize + 123)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        let marker = Array("PLAINTEXT-MARKER-0123456789".utf8)
        bytes.replaceSubrange(1000..<(1000 + marker.count), with: marker)
        let reference = try store.write(bytes)
        #expect(try store.read(reference) == bytes)
        let range = (EncryptedBlobStore.chunkSize - 10)..<(2 * EncryptedBlobStore.chunkSize + 5)
        #expect(try store.read(reference, range: range) == Array(bytes[range]))
        let onDisk = try Data(
            contentsOf: directory.appendingPathComponent("objects").appendingPathComponent(reference.file))
        #expect(onDisk.range(of: Data(marker)) == nil)
        let again = try EncryptedBlobStore(dataDirectory: directory.path)
        #expect(try again.read(reference, range: 1000..<(1000 + marker.count)) == marker)
        #expect(try store.read(try store.write([])) == [])
    }

    @Test func rangesAsS3ParsesThem() throws {
        #expect(try ObjectOperations.parseRange("bytes=0-9", size: 100) == 0..<10)
        #expect(try ObjectOperations.parseRange("bytes=90-", size: 100) == 90..<100)
        #expect(try ObjectOperations.parseRange("bytes=-5", size: 100) == 95..<100)
        #expect(try ObjectOperations.parseRange("bytes=50-500", size: 100) == 50..<100)
        #expect(throws: (any Error).self) { try ObjectOperations.parseRange("bytes=100-", size: 100) }
    }
}
