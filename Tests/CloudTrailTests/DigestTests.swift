import AWSWire
import CacheTrailServer
import Crypto
import Foundation
import ObjectStore
import Persistence
import ServiceContract
import SigV4
import Testing
import _CryptoExtras

@testable import CloudTrail

/// Digest files: the JSON CloudTrail writes, the string it signs, the signature checked with
/// the key ListPublicKeys gives, and the chain.
struct DigestTests {
    let start = Date(timeIntervalSince1970: 1_439_820_091)  // 2015-08-17T14:01:31Z

    func trail() -> TrailRecord {
        var trail = DeliveryTests().trail(prefix: "org")
        trail.logFileValidation = true
        trail.startLoggingTime = start
        return trail
    }

    @Test func theDocumentHasCloudTrailsFieldsInOrder() throws {
        let file = DigestChain.LogFile(
            bucket: "logs", key: "org/AWSLogs/111111111111/CloudTrail/us-west-2/f.json.gz", hash: "ab",
            oldestEventTime: start.addingTimeInterval(60), newestEventTime: start.addingTimeInterval(120),
            deliveredAt: start.addingTimeInterval(400))
        let previous = DigestChain.Previous(bucket: "logs", key: "k0", hash: "cd", signature: "ef")
        let key = TrailDigests.key(trail: trail(), region: "us-west-2", end: start.addingTimeInterval(3600))
        #expect(
            key
                == "org/AWSLogs/111111111111/CloudTrail-Digest/us-west-2/2015/08/17/111111111111_CloudTrail-Digest_us-west-2_main_us-west-2_20150817T150131Z.json.gz"
        )
        let text = TrailDigests.document(
            trail: trail(), start: start, end: start.addingTimeInterval(3600), key: key, fingerprint: "fp",
            previous: previous, files: [file])
        #expect(
            text
                == #"{"awsAccountId":"111111111111","digestStartTime":"2015-08-17T14:01:31Z","digestEndTime":"2015-08-17T15:01:31Z","digestS3Bucket":"logs","digestS3Object":""#
                + key
                + #"","digestPublicKeyFingerprint":"fp","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2015-08-17T14:03:31Z","oldestEventTime":"2015-08-17T14:02:31Z","previousDigestS3Bucket":"logs","previousDigestS3Object":"k0","previousDigestHashValue":"cd","previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"ef","logFiles":[{"s3Bucket":"logs","s3Object":"org/AWSLogs/111111111111/CloudTrail/us-west-2/f.json.gz","hashValue":"ab","hashAlgorithm":"SHA-256","newestEventTime":"2015-08-17T14:03:31Z","oldestEventTime":"2015-08-17T14:02:31Z"}]}"#
        )
        let first = TrailDigests.document(
            trail: trail(), start: start, end: start.addingTimeInterval(3600), key: key, fingerprint: "fp",
            previous: nil, files: [])
        #expect(first.contains(#""newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null"#))
        #expect(first.hasSuffix(#""previousDigestSignature":null,"logFiles":[]}"#))
    }

    @Test func theStringToSignIsCloudTrails() {
        #expect(
            TrailDigests.stringToSign(
                end: start, bucket: "logs", key: "a/b.json.gz", hash: "h", previousSignature: nil)
                == "2015-08-17T14:01:31Z\nlogs/a/b.json.gz\nh\nnull")
    }

    @Test func hourlyDigestsChainAndVerifyWithTheListedKey() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let blobs = try EncryptedBlobStore(dataDirectory: directory)
        let store = try SQLiteStateStore(path: nil)
        let delivery = TrailDelivery(ports: .embedded(blobs: blobs))
        let now = start.addingTimeInterval(3 * 3600 + 10)
        let policy =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*"}]}"#
        let trail = try await store.write { tx in
            // The bucket as the S3 side stores it (its record's other fields are optional).
            struct Bucket: Codable {
                var name, owner, region: String
                var created: Date
                var policy, acl: String
            }
            let bucket = Bucket(
                name: "logs", owner: "111111111111", region: "us-west-2", created: self.start, policy: policy,
                acl: "private")
            try tx.put(bucket, kind: "s3.bucket", scope: "-", id: "logs")
            var trail = self.trail()
            try delivery.digests.deliverDue(&trail, now: now, in: tx)
            return trail
        }
        #expect(trail.latestDigestDeliveryError == nil)
        let chain = try #require(trail.digests?["us-west-2"])
        #expect(chain.periodStart == start.addingTimeInterval(3 * 3600))
        let last = try #require(chain.previous)
        let (object, key) = try await store.read { tx in
            (
                try tx.get(ObjectRecord.self, kind: "s3.object", scope: "logs", id: last.key),
                try DigestKeys.all(region: "us-west-2", in: tx).first
            )
        }
        let stored = try #require(object)
        let signingKey = try #require(key)
        let document = try Gzip.decompress(try blobs.read(stored.blob))
        #expect(SigV4.sha256Hex(document) == last.hash)
        guard case .object(let fields) = try JSONValue.parse(document),
            case .string(let previousSignature)? = fields["previousDigestSignature"],
            case .string(let previousKey)? = fields["previousDigestS3Object"]
        else {
            Issue.record("the third digest does not name the second")
            return
        }
        #expect(previousKey == TrailDigests.key(trail: trail, region: "us-west-2", end: start.addingTimeInterval(7200)))
        #expect(stored.metadata["signature"] == last.signature)
        #expect(stored.metadata["signature-algorithm"] == "SHA256withRSA")
        // Verified as validate-logs verifies it: the key's PKCS #1 DER, PKCS #1 v1.5 padding.
        let publicKey = try _RSA.Signing.PublicKey(derRepresentation: signingKey.publicKey)
        let toSign = TrailDigests.stringToSign(
            end: chain.periodStart, bucket: "logs", key: last.key, hash: last.hash,
            previousSignature: previousSignature)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(hexBytes(last.signature)))
        #expect(publicKey.isValidSignature(signature, for: Array(toSign.utf8), padding: .insecurePKCS1v1_5))
        let other = TrailDigests.stringToSign(
            end: chain.periodStart, bucket: "logs", key: last.key, hash: last.hash, previousSignature: nil)
        #expect(!publicKey.isValidSignature(signature, for: Array(other.utf8), padding: .insecurePKCS1v1_5))
        #expect(signingKey.fingerprint == SigV4.hex(Insecure.MD5.hash(data: signingKey.publicKey)))
    }

    func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
