import Crypto
import Foundation
import Testing

@testable import SigV4

/// AWS's published examples and the signer/verifier round trip.
struct SigV4VectorTests {
    static let exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    @Test func signingKeyMatchesTheIAMDocumentationExample() {
        let key = SigV4.signingKey(secret: Self.exampleSecret, date: "20120215", region: "us-east-1", service: "iam")
        let hex = key.withUnsafeBytes { SigV4.hex($0) }
        #expect(hex == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func headerNamesCompareInAnyCase() {
        #expect(SigV4.isHeader("X-Amz-Date", named: "x-amz-date"))
        #expect(SigV4.isHeader("x-amz-date", named: "x-amz-date"))
        #expect(!SigV4.isHeader("X-Amz-Dat", named: "x-amz-date"))
        #expect(!SigV4.isHeader("X-Amz-Datf", named: "x-amz-date"))
        #expect(!SigV4.isHeader("X-AMZ_DATE", named: "x-amz-date"))
        #expect(SigV4.trimAll("a  b\t c ") == "a b c")
        #expect(SigV4.trimAll("abc") == "abc")
    }

    /// The kept key is the derived one, per secret and scope: another secret or day is another key.
    @Test func cachedSigningKeysAreTheDerivedOnes() {
        func hex(_ secret: String, _ date: String) -> String {
            SigV4.cachedSignature(secret: secret, date: date, region: "us-east-1", service: "iam", stringToSign: "")
                .key.withUnsafeBytes { SigV4.hex($0) }
        }
        let expected = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        #expect(hex(Self.exampleSecret, "20120215") == expected)
        #expect(hex(Self.exampleSecret, "20120215") == expected)
        #expect(hex(Self.exampleSecret, "20120216") != expected)
        #expect(hex(Self.exampleSecret + "x", "20120215") != expected)
        #expect(hex(Self.exampleSecret, "20120215") == expected)
    }

    /// A signature through the kept, already keyed HMAC is the one computed afresh, for every
    /// message in turn (the kept HMAC is copied, never advanced).
    @Test func cachedSignaturesAreThePlainOnes() {
        let key = SigV4.signingKey(secret: Self.exampleSecret, date: "20120215", region: "us-east-1", service: "iam")
        for message in ["first", "second", "first", ""] {
            let (signature, kept) = SigV4.cachedSignature(
                secret: Self.exampleSecret, date: "20120215", region: "us-east-1", service: "iam",
                stringToSign: message)
            #expect(signature == SigV4.signature(key: key, stringToSign: message))
            #expect(kept == key)
        }
    }

    @Test func getVanillaFromTheSignatureTestSuite() throws {
        let request = SignableRequest(
            method: "GET", path: "/", query: "",
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], bodySHA256: nil)
        let canonical = SigV4.canonicalRequest(
            request, service: "service", signedHeaders: ["host", "x-amz-date"],
            payloadHash: SigV4.sha256Hex([UInt8]()))
        #expect(
            canonical
                == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        let toSign = SigV4.stringToSign(
            amzDate: "20150830T123600Z", scope: "20150830/us-east-1/service/aws4_request", canonicalRequest: canonical)
        let key = SigV4.signingKey(
            secret: Self.exampleSecret, date: "20150830", region: "us-east-1", service: "service")
        #expect(
            SigV4.signature(key: key, stringToSign: toSign)
                == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func canonicalQuerySortsAndEncodes() {
        let items: [(name: String, value: String)] = [("b", "2 3"), ("a", "z/~"), ("a", "y"), ("c", "")]
        #expect(SigV4.canonicalQuery(items) == "a=y&a=z%2F~&b=2%203&c=")
    }

    @Test func canonicalURIEncodesTwiceExceptForS3() {
        #expect(SigV4.canonicalURI("/a%20b/./c/../d", service: "iam") == "/a%2520b/d")
        #expect(SigV4.canonicalURI("/bucket/a%20b", service: "s3") == "/bucket/a%20b")
    }

    @Test func headerValuesAreTrimmedAndFolded() {
        let request = SignableRequest(
            method: "GET", path: "/", query: "", headers: [("My-Header", "  a   b  "), ("my-header", "c")],
            bodySHA256: nil)
        #expect(SigV4.canonicalHeaders(request, signed: ["my-header"]) == "my-header:a b,c\n")
    }
}

struct SigV4VerifierTests {
    let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret-secret-secret")
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func signedRequest(body: String = "Action=GetCallerIdentity&Version=2011-06-15") -> SignableRequest {
        let request = SignableRequest(
            method: "POST", path: "/", query: "",
            headers: [("host", "127.0.0.1:4577"), ("content-type", "application/x-www-form-urlencoded")],
            bodySHA256: SigV4.sha256Hex(Array(body.utf8)))
        return SigV4Signer(credentials: credentials, region: "us-east-1", service: "sts").sign(request, at: now)
    }

    @Test func aSignedRequestVerifies() throws {
        let request = signedRequest()
        let authorization = try SigV4Authorization.parse(request)
        #expect(authorization.accessKeyID == "AKIDEXAMPLE")
        #expect(authorization.region == "us-east-1")
        #expect(authorization.service == "sts")
        try authorization.verify(request, secret: credentials.secretAccessKey, now: now)
    }

    @Test(arguments: ["method", "path", "query", "header", "body", "secret"])
    func everyMutationIsAMismatch(_ part: String) throws {
        var request = signedRequest()
        var secret = credentials.secretAccessKey
        switch part {
        case "method": request.method = "PUT"
        case "path": request.path = "/x"
        case "query": request.query = "a=b"
        case "header": request.headers[1].value = "text/plain"
        case "body": request.bodySHA256 = SigV4.sha256Hex(Array("tampered".utf8))
        default: secret = "wrong"
        }
        let authorization = try SigV4Authorization.parse(request)
        #expect {
            try authorization.verify(request, secret: secret, now: now)
        } throws: { error in
            if case .mismatch = error as? SigV4Failure { return true }
            return false
        }
    }

    @Test func theSkewWindowIsFifteenMinutes() throws {
        let request = signedRequest()
        let authorization = try SigV4Authorization.parse(request)
        try authorization.verify(request, secret: credentials.secretAccessKey, now: now.addingTimeInterval(899))
        #expect(throws: SigV4Failure.skewed(signed: now, now: now.addingTimeInterval(901))) {
            try authorization.verify(request, secret: credentials.secretAccessKey, now: now.addingTimeInterval(901))
        }
        #expect(throws: SigV4Failure.skewed(signed: now, now: now.addingTimeInterval(-901))) {
            try authorization.verify(request, secret: credentials.secretAccessKey, now: now.addingTimeInterval(-901))
        }
    }

    @Test func missingAndMalformedAuthorization() throws {
        let bare = SignableRequest(method: "GET", path: "/", query: "", headers: [("host", "h")], bodySHA256: nil)
        #expect(throws: SigV4Failure.missingAuthentication) { try SigV4Authorization.parse(bare) }
        var partial = bare
        partial.headers.append(("x-amz-date", "20231114T221320Z"))
        partial.headers.append(
            ("authorization", "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/sts/aws4_request"))
        #expect {
            try SigV4Authorization.parse(partial)
        } throws: { error in
            guard case .incomplete(let message) = error as? SigV4Failure else { return false }
            return message.contains("'SignedHeaders'") && message.contains("'Signature'")
        }
    }

    /// The header's fields are read as bytes: padding around names, values and the whole
    /// header is dropped, a field without a name or value is absent, the last of a repeated
    /// name counts, and anything but the algorithm followed by a space is refused.
    @Test func authorizationHeaderFieldsAreReadAsSent() throws {
        func parse(_ header: String) throws -> SigV4Authorization {
            try SigV4Authorization.parse(
                SignableRequest(
                    method: "GET", path: "/", query: "",
                    headers: [("host", "h"), ("X-Amz-Date", "20231114T221320Z"), ("Authorization", header)],
                    bodySHA256: nil))
        }
        let parsed = try parse(
            " \tAWS4-HMAC-SHA256  Credential = AKID/20231114/us-east-1/sts/aws4_request ,SignedHeaders=Host;X-Amz-Date,"
                + " Signature=abc,Signature=def, =x,Empty= ,,\t")
        #expect(parsed.accessKeyID == "AKID")
        #expect(parsed.scope == "20231114/us-east-1/sts/aws4_request")
        #expect(parsed.signedHeaders == ["host", "x-amz-date"])
        #expect(parsed.signature == "def")
        // Empty signed-header names are dropped; the credential's five parts are kept as sent.
        let sparse = try parse(
            "AWS4-HMAC-SHA256 Credential=AKID/20231114//sts/aws4_request, SignedHeaders=;HOST;;x-amz-date;, Signature=a"
        )
        #expect(sparse.signedHeaders == ["host", "x-amz-date"])
        #expect(sparse.region == "" && sparse.service == "sts")
        for header in [
            "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256X Credential=AKID/20231114/us-east-1/sts/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=",
            "AWS4-HMAC-SHA256 Credential=AKID/2023111/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/sts/aws4_request/, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=/20231114/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=a",
        ] {
            #expect(throws: SigV4Failure.self) { try parse(header) }
        }
        let lower = SignableRequest(method: "post", path: "", query: "", headers: [("Host", "h")], bodySHA256: nil)
        #expect(
            SigV4.canonicalRequest(lower, service: "sts", signedHeaders: ["host"], payloadHash: "p")
                == "POST\n/\n\nhost:h\n\nhost\np")
    }

    @Test func presignedRequestsExpire() throws {
        let amzDate = SigV4.amzDate(now)
        let scope = "\(amzDate.prefix(8))/us-east-1/sts/aws4_request"
        var query =
            "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\(SigV4.encode("AKIDEXAMPLE/" + scope))&X-Amz-Date=\(amzDate)&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
        let unsigned = SignableRequest(
            method: "GET", path: "/", query: query, headers: [("host", "h:1")], bodySHA256: nil)
        let canonical = SigV4.canonicalRequest(
            unsigned, service: "sts", signedHeaders: ["host"], payloadHash: SigV4.sha256Hex([UInt8]()))
        let key = SigV4.signingKey(
            secret: credentials.secretAccessKey, date: String(amzDate.prefix(8)), region: "us-east-1", service: "sts")
        query +=
            "&X-Amz-Signature="
            + SigV4.signature(
                key: key, stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        let request = SignableRequest(
            method: "GET", path: "/", query: query, headers: [("host", "h:1")], bodySHA256: nil)
        let authorization = try SigV4Authorization.parse(request)
        #expect(authorization.presigned)
        try authorization.verify(request, secret: credentials.secretAccessKey, now: now.addingTimeInterval(30))
        #expect(throws: SigV4Failure.expired) {
            try authorization.verify(request, secret: credentials.secretAccessKey, now: now.addingTimeInterval(61))
        }
    }

    @Test func dateFormsRoundTrip() {
        #expect(SigV4.amzDate(now) == "20231114T221320Z")
        #expect(Timestamps.parseAmzDate("20231114T221320Z") == now)
        #expect(Timestamps.parseAmzDate("2023-11-14T22:13:20Z") == nil)
        #expect(Timestamps.parseHTTPDate("Tue, 14 Nov 2023 22:13:20 GMT") == now)
    }

    /// The counted dates agree with Foundation's Gregorian calendar, which they replace: leap
    /// days and century years, and a day or second past its end running on as the calendar's does.
    @Test(arguments: [
        "19700101T000000Z", "20000229T235959Z", "20231114T221320Z", "20240229T120000Z", "21000301T000000Z",
        "19691231T235959Z", "16000101T000000Z", "99991231T235959Z", "20230231T000000Z", "20231231T235960Z",
        "20240101T000000Z", "19000228T000000Z",
    ])
    func amzDatesAgreeWithTheCalendar(_ text: String) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
        let digits = Array(text.utf8).map { Int($0) - 48 }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        let expected = calendar.date(
            from: DateComponents(
                year: number(0..<4), month: number(4..<6), day: number(6..<8), hour: number(9..<11),
                minute: number(11..<13), second: number(13..<15)))
        #expect(Timestamps.parseAmzDate(text) == expected)
    }
}
