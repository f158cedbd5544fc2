import AWSModels
import Foundation
import Testing

@testable import AWSWire

struct QueryResponseEncoderTests {
    @Test func wrapsTheResultAndTheRequestId() throws {
        let operation = try #require(ServiceModel.sts.operations["GetCallerIdentity"])
        let xml = QueryResponseEncoder(model: .sts).encode(
            .object(["UserId": .string("AIDA1"), "Account": .string("000000000000"), "Arn": .string("arn:a&b")]),
            operation: operation, requestID: "req-1")
        #expect(
            xml
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><UserId>AIDA1</UserId><Account>000000000000</Account><Arn>arn:a&amp;b</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        )
    }

    @Test func listsUseTheModelsElementNames() throws {
        let operation = try #require(ServiceModel.elastiCache.operations["DescribeCacheClusters"])
        let cluster = ShapeValue.object([
            "CacheClusterId": .string("c1"), "NumCacheNodes": .integer(2),
            "CacheClusterCreateTime": .timestamp(Date(timeIntervalSince1970: 1_417_471_566)),
            "CacheSecurityGroups": .list([
                .object(["CacheSecurityGroupName": .string("default"), "Status": .string("active")])
            ]),
        ])
        let xml = QueryResponseEncoder(model: .elastiCache).encode(
            .object(["CacheClusters": .list([cluster])]), operation: operation, requestID: "r")
        #expect(
            xml.contains(
                "<DescribeCacheClustersResult><CacheClusters><CacheCluster><CacheClusterId>c1</CacheClusterId>"))
        #expect(xml.contains("<CacheClusterCreateTime>2014-12-01T22:06:06.000Z</CacheClusterCreateTime>"))
        #expect(
            xml.contains(
                "<CacheSecurityGroups><CacheSecurityGroup><CacheSecurityGroupName>default</CacheSecurityGroupName>"))
    }

    @Test func operationsWithoutOutputHaveOnlyMetadata() throws {
        let operation = try #require(ServiceModel.iam.operations["DeleteUser"])
        let xml = QueryResponseEncoder(model: .iam).encode(nil, operation: operation, requestID: "r")
        #expect(
            xml.hasSuffix(
                "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>"
            ))
    }

    @Test func errorEnvelopes() {
        let error = AWSError(code: "CacheClusterNotFound", message: "Cluster <x> not found", httpStatus: 404)
        let query = ErrorEnvelope.query(error, requestID: "r", namespace: nil)
        #expect(
            query.contains(
                "<Error><Type>Sender</Type><Code>CacheClusterNotFound</Code><Message>Cluster &lt;x&gt; not found</Message></Error><RequestId>r</RequestId>"
            ))
        #expect(ErrorEnvelope.json(error) == #"{"__type":"CacheClusterNotFound","message":"Cluster <x> not found"}"#)
    }

    @Test func modeledErrorsCarryTheAwsQueryErrorCodeAndStatus() {
        let error = AWSError.modeled("CacheClusterNotFoundFault", in: .elastiCache, "nope")
        #expect(error.code == "CacheClusterNotFound")
        #expect(error.httpStatus == 404)
    }
}

struct JSONTests {
    @Test func parsesAndRejects() throws {
        #expect(
            try JSONValue.parse(#"{"a":[1,true,null,"x\u00e9\n"],"b":{}}"#)
                == .object(["a": .array([.number("1"), .bool(true), .null, .string("xé\n")]), "b": .object([:])]))
        for bad in ["{", "[1,]", "{\"a\" 1}", "tru", "\"\u{1}\"", "1 2", "{\"a\":1}}"] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
        }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep, maxDepth: 64) }
    }

    @Test func decodesCloudTrailInputByTheModel() throws {
        let decoder = JSONInputDecoder(model: .cloudTrail)
        let value = try decoder.decode(
            Array(
                #"{"Name":"t","S3BucketName":"b","IsMultiRegionTrail":true,"TagsList":[{"Key":"k","Value":"v"}]}"#.utf8),
            shape: "CreateTrailRequest")
        #expect(value[member: "IsMultiRegionTrail"] == .boolean(true))
        #expect(value[member: "TagsList"] == .list([.structure(["Key": .string("k"), "Value": .string("v")])]))
        #expect(throws: AWSError.self) {
            try decoder.decode(Array(#"{"Name":"t","S3BucketName":5}"#.utf8), shape: "CreateTrailRequest")
        }
        #expect(throws: AWSError.self) { try decoder.decode(Array("[]".utf8), shape: "CreateTrailRequest") }
    }

    @Test func writesStableJSON() {
        let value = ShapeValue.object(["b": .integer(1), "a": .list([.string("q\""), .boolean(false)])])
        #expect(JSONWriter.write(value) == #"{"a":["q\"",false],"b":1}"#)
    }

    @Test func quotesOnlyWhatJSONMustEscape() {
        #expect(JSONWriter.quote("plain text é 💡") == "\"plain text é 💡\"")
        #expect(JSONWriter.quote("a\"b\\c\nd\te\u{01}") == #""a\"b\\c\nd\te\u0001""#)
        #expect(JSONWriter.quote("") == "\"\"")
        #expect(JSONWriter.quote("\u{1F}\u{0}x\r") == #""\u001f\u0000x\r""#)
        #expect(JSONWriter.quote("é\"💡\\") == #""é\"💡\\""#)
    }

    /// The scan for what needs escaping reads eight bytes a step: each character JSON escapes
    /// is found at every place in a word and in the tail, and its neighbours (and multi-byte
    /// characters, whose bytes are all ≥ 0x80) are not taken for it.
    @Test func findsEscapesAtEveryPlaceInAWord() {
        let escaped: [(Character, String)] = [
            ("\u{0}", #"\u0000"#), ("\u{1F}", #"\u001f"#), ("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#),
        ]
        for count in [7, 8, 9, 16, 19] {
            for at in 0..<count {
                for (character, escape) in escaped {
                    var text = Array(repeating: Character("a"), count: count)
                    text[at] = character
                    let expected = String(text[..<at]) + escape + String(text[(at + 1)...])
                    #expect(JSONWriter.quote(String(text)) == "\"\(expected)\"", "\(count) \(at)")
                }
                for plain: Character in [" ", "!", "#", "[", "]", "\u{7F}", "é", "💡"] {
                    var text = Array(repeating: Character("a"), count: count)
                    text[at] = plain
                    #expect(JSONWriter.quote(String(text)) == "\"\(String(text))\"", "\(count) \(at)")
                }
            }
        }
    }

    /// Quoting into bytes (event records) writes exactly what quoting into a string writes,
    /// after whatever the bytes already hold.
    @Test func quotesIntoBytesAsIntoText() {
        for text in ["plain text é 💡", "a\"b\\c\nd\te\u{01}", "", "\u{1F}\u{0}x\r", "é\"💡\\", "x"] {
            var bytes = Array("{".utf8)
            JSONWriter.appendQuoted(text, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "{" + JSONWriter.quote(text))
        }
        let values: [ShapeValue] = [
            .string("q\""), .integer(-7), .boolean(true), .double(1.5), .timestamp(Date(timeIntervalSince1970: 1)),
            .object(["b": .integer(1), "a": .list([.blob([1, 2])])]),
        ]
        for value in values {
            var bytes: [UInt8] = []
            JSONWriter.append(value, to: &bytes, timestamps: .iso8601)
            var text = ""
            JSONWriter.append(value, to: &text, timestamps: .iso8601)
            #expect(String(decoding: bytes, as: UTF8.self) == text)
        }
    }

    @Test func timestamps() {
        let date = Date(timeIntervalSince1970: 1_417_471_235)
        #expect(Timestamps.iso8601(date) == "2014-12-01T22:00:35Z")
        #expect(Timestamps.parse("2014-12-01T22:00:35Z") == date)
        #expect(Timestamps.parse("2014-12-01T22:00:35.000Z") == date)
        #expect(Timestamps.parse("1417471235") == date)
        #expect(Timestamps.parse("yesterday") == nil)
        #expect(Timestamps.httpDate(date) == "Mon, 01 Dec 2014 22:00:35 GMT")
    }

    /// The hand-computed ISO 8601 and HTTP dates agree with Foundation's formatters on the
    /// calendar (leap days, century years, weekdays, dates before 1970, back to 1600), and show
    /// the millisecond a time was given in (Foundation's formatter truncates the binary fraction:
    /// 35.123 would show as 35.122).
    @Test func iso8601MatchesFoundation() {
        let style = Date.ISO8601FormatStyle()
        let reference = FoundationHTTPDate()
        let fixed: [Int64] = [
            0, -1, -86_400_000, 951_782_400_000, 951_868_799_999, -2_203_891_200_000, 4_107_542_400_000,
            1_417_471_235_123, 253_402_300_799_500, -11_676_096_000_000,
        ]
        var generator = SystemRandomNumberGenerator()
        let sampled = (0..<2000).map { _ in
            Int64.random(in: -11_676_096_000_000...7_000_000_000_000, using: &generator)
        }
        for milliseconds in fixed + sampled {
            let (wholeSeconds, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
            let (second, millisecond) = remainder < 0 ? (wholeSeconds - 1, remainder + 1000) : (wholeSeconds, remainder)
            let calendar = Date(timeIntervalSince1970: Double(second)).formatted(style)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let fraction = String(millisecond + 1000).dropFirst()
            #expect(Timestamps.iso8601(date) == calendar, "\(milliseconds)")
            #expect(
                Timestamps.iso8601(date, fractional: true) == calendar.dropLast() + ".\(fraction)Z", "\(milliseconds)")
            #expect(Timestamps.httpDate(date) == reference.httpDate(date), "\(milliseconds)")
        }
    }

    /// Years of other than four digits keep their digits and sign, written ahead of the rest.
    @Test func iso8601WritesYearsBeyondFourDigits() {
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00Z")
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: -62_167_219_200)) == "0000-01-01T00:00:00Z")
        #expect(
            Timestamps.iso8601(Date(timeIntervalSince1970: -62_167_219_201), fractional: true)
                == "-0001-12-31T23:59:59.000Z")
    }

    @Test func xmlEscapesOnlyMarkup() {
        #expect(XMLWriter.escape("plain text é 💡") == "plain text é 💡")
        #expect(XMLWriter.escape("a&b<c>d\"e'f\rg") == "a&amp;b&lt;c&gt;d&quot;e&apos;f&#xD;g")
        #expect(XMLWriter.escape("é<💡>") == "é&lt;💡&gt;")
        var xml = XMLWriter()
        xml.open("A", namespace: "urn:x", attributes: [("k", "v&")])
        xml.element("B", "1<2")
        // Written in place, byte by byte: every markup byte, beside multi-byte characters.
        xml.element("C", "é&💡<>\"'\rz")
        xml.element("D", "plain text é 💡")
        xml.close("A")
        #expect(
            xml.text.hasSuffix(
                "<A xmlns=\"urn:x\" k=\"v&amp;\"><B>1&lt;2</B><C>é&amp;💡&lt;&gt;&quot;&apos;&#xD;z</C>"
                    + "<D>plain text é 💡</D></A>"))
    }
}

/// RFC 7231 dates through Foundation's calendar and formatter, to check the hand-computed ones.
struct FoundationHTTPDate {
    let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()

    func httpDate(_ date: Date) -> String { formatter.string(from: date) }
}

/// An encoded value's XML is written once and copied after; it reads as the value it holds.
struct EncodedValueTests {
    @Test func anEncodedValueWritesAsItsValueAndIsCopiedAfter() throws {
        let operation = try #require(ServiceModel.elastiCache.operations["DescribeCacheClusters"])
        let cluster = ShapeValue.object([
            "CacheClusterId": .string("c<1>"), "NumCacheNodes": .integer(2),
            "CacheClusterCreateTime": .timestamp(Date(timeIntervalSince1970: 1_417_471_566)),
        ])
        let encoder = QueryResponseEncoder(model: .elastiCache)
        let plain = encoder.encode(
            .object(["CacheClusters": .list([cluster, cluster])]), operation: operation, requestID: "r")
        let kept = EncodedValue(cluster)
        let encoded = ShapeValue.object(["CacheClusters": .list([.encoded(kept), .encoded(kept)])])
        let first = encoder.encode(encoded, operation: operation, requestID: "r")
        let second = encoder.encode(encoded, operation: operation, requestID: "r")
        let element = "<CacheCluster><CacheClusterId>c&lt;1&gt;</CacheClusterId>"
        #expect(plain.contains(element))
        #expect(first == plain && second == plain && first.components(separatedBy: element).count == 3)
        #expect(ShapeValue.encoded(kept)[member: "NumCacheNodes"]?.intValue == 2)
        #expect(ShapeValue.encoded(kept).unwrapped == cluster)
        // Other writers see the value it holds.
        #expect(JSONWriter.write(.encoded(kept)) == JSONWriter.write(cluster))
    }
}
