import Foundation
import Testing

@testable import SigV4

/// Signed streaming uploads: AWS's published example (sigv4-streaming), and which declared
/// payload hashes S3 accepts.
struct StreamingPayloadTests {
    /// The S3 documentation's example: 66,560 bytes of `a` in chunks of 65,536, 1,024 and 0.
    @Test func chunkSignaturesMatchTheS3DocumentationExample() {
        let key = SigV4.signingKey(
            secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", date: "20130524", region: "us-east-1", service: "s3")
        var signer = ChunkSigner(
            key: key, amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request",
            seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
        #expect(
            signer.next(chunk: [UInt8](repeating: 97, count: 65_536))
                == "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648")
        #expect(
            signer.next(chunk: [UInt8](repeating: 97, count: 1_024))
                == "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497")
        #expect(
            signer.next(chunk: [UInt8]()) == "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
    }

    @Test func onlyS3sNamedModesAndRealHashesAreAccepted() {
        #expect(SignedPayload.mode(declared: "UNSIGNED-PAYLOAD") == .unsigned)
        #expect(SignedPayload.mode(declared: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") == .streamingSigned)
        #expect(SignedPayload.mode(declared: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") == .streamingSigned)
        #expect(SignedPayload.mode(declared: "STREAMING-UNSIGNED-PAYLOAD-TRAILER") == .streamingUnsigned)
        #expect(SignedPayload.mode(declared: SigV4.sha256Hex([UInt8]())) == .hashed)
        #expect(SignedPayload.mode(declared: "not-a-hash") == nil)
        #expect(SignedPayload.mode(declared: String(repeating: "g", count: 64)) == nil)
        #expect(SignedPayload.mode(declared: "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") == nil)
    }

    /// Outside S3 a declared hash changes nothing: the body's own hash is what is signed, so a
    /// replaced body or an `UNSIGNED-PAYLOAD` claim fails the signature.
    @Test func queryServicesSignTheBodyWhateverTheHeaderSays() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let body = Array("Action=DescribeCacheClusters&Version=2015-02-02".utf8)
        let request = SigV4Signer(credentials: credentials, region: "us-east-1", service: "elasticache").sign(
            SignableRequest(
                method: "POST", path: "/", query: "", headers: [("host", "localhost:4577")],
                bodySHA256: SigV4.sha256Hex(body)),
            at: now)
        let authorization = try SigV4Authorization.parse(request)
        try authorization.verify(request, secret: "secret", now: now)

        var replaced = request
        replaced.bodySHA256 = SigV4.sha256Hex(Array("Action=DeleteCacheCluster&CacheClusterId=x".utf8))
        replaced.headers.append(("x-amz-content-sha256", request.bodySHA256 ?? ""))
        #expect(throws: SigV4Failure.self) { try authorization.verify(replaced, secret: "secret", now: now) }

        var unsigned = replaced
        unsigned.headers.removeLast()
        unsigned.headers.append(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
        #expect(throws: SigV4Failure.self) { try authorization.verify(unsigned, secret: "secret", now: now) }
    }
}
