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

    /// The staged form of `bytes`, written to `blob`.
    init(_ bytes: [UInt8], blob: BlobReference, checksums: [String: String], md5: [UInt8]? = nil) {
        self.blob = blob
        self.md5 = md5 ?? Array(Insecure.MD5.hash(data: bytes))
        self.checksums = checksums
    }

    /// Bodies from this size on compute the ETag's MD5 on a second thread while their
    /// checksums are checked and their encrypted file is written.
    static let parallelFrom = 1 << 20

    /// Stages the body of `call`; nil when a check fails or the file cannot be written (the
    /// operation then answers the failure in its transaction, as S3 orders its errors).
    static func stage(_ call: OperationCall, blobs: EncryptedBlobStore) -> StagedBody? {
        guard case .blob(let bytes)? = call[.body] else { return nil }
        let md5 = Mutex<[UInt8]?>(nil)
        let written = Mutex<(blob: BlobReference, checksums: [String: String])?>(nil)
        let store: @Sendable () -> Void = {
            guard let checksums = try? verifiedChecksums(bytes, of: call), let blob = try? blobs.write(bytes) else {
                return
            }
            written.withLock { $0 = (blob, checksums) }
        }
        if bytes.count >= parallelFrom {
            SideBySide.perform(2) { index in
                if index == 0 {
                    let digest = Array(Insecure.MD5.hash(data: bytes))
                    md5.withLock { $0 = digest }
                } else {
                    store()
                }
            }
        } else {
            store()
        }
        guard let (blob, checksums) = written.withLock({ $0 }) else { return nil }
        return StagedBody(bytes, blob: blob, checksums: checksums, md5: md5.withLock { $0 })
    }

    /// Content-MD5 and `x-amz-checksum-*` must match the bytes received; returns the checksums
    /// to keep (the ones sent, plus the one asked for by `x-amz-sdk-checksum-algorithm`).
    static func verifiedChecksums(_ bytes: [UInt8], of call: OperationCall) throws -> [String: String] {
        if let md5 = call.string(.contentMD5) {
            guard let digest = Data(base64Encoded: md5), digest.count == 16 else { throw S3Errors.invalidDigest }
            guard md5 == ChecksumAlgorithm.md5Base64(bytes) else { throw S3Errors.badDigest }
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
