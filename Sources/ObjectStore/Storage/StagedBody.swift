import AWSModels
import AWSWire
import Crypto
import Foundation
import ServiceContract
import SigV4
import Synchronization

/// An object's (or part's) bytes checked, hashed, encrypted and on disk: made before the call's
/// transaction, so that the writer only commits the record that names them.
struct StagedBody: Sendable {
    var blob: BlobReference
    /// The bytes' MD5 digest (multipart ETags are made of the parts' digests).
    var md5: [UInt8]
    var checksums: [String: String]

    /// `"<md5 hex>"`.
    var etag: String { "\"\(SigV4.hex(md5))\"" }

    /// The staged form of bytes whose digest is `md5`, written to `blob`.
    init(blob: BlobReference, checksums: [String: String], md5: [UInt8]) {
        self.blob = blob
        self.md5 = md5
        self.checksums = checksums
    }

    static func md5(_ bytes: [UInt8]) -> [UInt8] { Array(Insecure.MD5.hash(data: bytes)) }

    /// Bodies from this size on compute the ETag's MD5 on a second thread while their
    /// checksums are checked and their encrypted file is written.
    static let parallelFrom = 1 << 20

    /// Stages the body of `call`; nil when a check fails or the file cannot be written (the
    /// operation then answers the failure in its transaction, as S3 orders its errors).
    static func stage(_ call: OperationCall, blobs: EncryptedBlobStore) -> StagedBody? {
        guard case .blob(let bytes)? = call[.body] else { return nil }
        // A Content-MD5 is checked before the file is written: then the digest comes first.
        guard bytes.count >= parallelFrom, call.string(.contentMD5) == nil else {
            let md5 = md5(bytes)
            guard let checksums = try? verifiedChecksums(bytes, md5: md5, of: call), let blob = try? blobs.write(bytes)
            else { return nil }
            return StagedBody(blob: blob, checksums: checksums, md5: md5)
        }
        let md5 = Mutex<[UInt8]>([])
        let written = Mutex<(blob: BlobReference, checksums: [String: String])?>(nil)
        SideBySide.perform(2) { index in
            if index == 0 {
                let digest = Self.md5(bytes)
                md5.withLock { $0 = digest }
            } else if let checksums = try? verifiedChecksums(bytes, md5: nil, of: call),
                let blob = try? blobs.write(bytes)
            {
                written.withLock { $0 = (blob, checksums) }
            }
        }
        guard let (blob, checksums) = written.withLock({ $0 }) else { return nil }
        return StagedBody(blob: blob, checksums: checksums, md5: md5.withLock { $0 })
    }

    /// Content-MD5 and `x-amz-checksum-*` must match the bytes received; returns the checksums
    /// to keep (the ones sent, plus the one asked for by `x-amz-sdk-checksum-algorithm`).
    /// `md5` is the bytes' digest when known; it must be when a Content-MD5 was sent.
    static func verifiedChecksums(_ bytes: [UInt8], md5 known: [UInt8]?, of call: OperationCall) throws
        -> [String: String]
    {
        if let md5 = call.string(.contentMD5) {
            guard let digest = Data(base64Encoded: md5), digest.count == 16 else { throw S3Errors.invalidDigest }
            guard Array(digest) == known ?? Self.md5(bytes) else { throw S3Errors.badDigest }
        }
        var checksums: [String: String] = [:]
        for algorithm in ChecksumAlgorithm.allCases {
            guard let sent = call.string(MemberName(algorithm.member)) else { continue }
            let actual = algorithm.digest(bytes)
            guard sent == actual else { throw S3Errors.badChecksum(algorithm) }
            checksums[algorithm.rawValue] = actual
        }
        if let requested = call.string(.checksumAlgorithm).flatMap(ChecksumAlgorithm.init(rawValue:)),
            checksums[requested.rawValue] == nil
        {
            checksums[requested.rawValue] = requested.digest(bytes)
        }
        return checksums
    }
}
