import Foundation
import Persistence
import Testing

/// Documents written by ``DocumentEncoder`` read back through `JSONDecoder` as they were, and
/// the text is what `JSONEncoder` would have written, member for member.
@Suite struct DocumentEncoderTests {
    enum Engine: String, Codable, Equatable { case redis, memcached }

    enum Change: Codable, Equatable {
        case resize(nodes: Int)
        case rename(String, String)
        case none
    }

    struct Node: Codable, Equatable {
        var id: String
        var port: Int?
        var tags: [String: String]
    }

    struct Record: Codable, Equatable {
        var name: String
        var engine: Engine
        var created: Date
        var blob: Data
        var link: URL
        var ratio: Double
        var small: Float
        var price: Decimal
        var extremes: [Int64]
        var unsigned: UInt64
        var flags: [Bool]
        var missing: String?
        var nodes: [Node]
        var byNumber: [Int: String]
        var grid: [[Int]]
        var changes: [Change]
        var empty: [String]
        var nothing: [String: Int]
    }

    private static let awkward = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{00} é 漢 🦊"

    private static func record() throws -> Record {
        Record(
            name: awkward, engine: .memcached, created: Date(timeIntervalSinceReferenceDate: 786_349_320.123_456_7),
            blob: Data([0, 1, 2, 250, 255]), link: try #require(URL(string: "https://example.com/a?b=c&d=%20")),
            ratio: 0.1,
            small: 1.5e-7, price: try #require(Decimal(string: "12.345")), extremes: [.min, .max, 0, -1],
            unsigned: .max,
            flags: [true, false], missing: nil,
            nodes: [
                Node(id: "0001", port: 11211, tags: ["k": "v", "": awkward]), Node(id: "0002", port: nil, tags: [:]),
            ],
            byNumber: [1: "one", -2: "minus two"], grid: [[], [1], [2, 3]],
            changes: [.resize(nodes: 3), .rename("a", "b"), .none], empty: [], nothing: [:])
    }

    @Test func readsBackAsItWasWritten() throws {
        let record = try Self.record()
        let data = try DocumentEncoder.encode(record)
        #expect(try JSONDecoder().decode(Record.self, from: data) == record)
        // The same members and values as JSONEncoder's text (key order aside).
        let ours = try JSONSerialization.jsonObject(with: data) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(record)) as? NSDictionary
        #expect(ours != nil)
        #expect(ours == theirs)
    }

    /// Integers are written digit by digit: every width and sign, as `String(_:)` spells them.
    @Test func integersAsTheirDecimalText() throws {
        struct Widths: Encodable {
            var small: [Int8] = [.min, -1, 0, 9, .max]
            var medium: [Int16] = [.min, -10, 10, .max]
            var wide: [Int32] = [.min, -100, 100, .max]
            var widest: [Int64] = [.min, -1_000_000_007, 1_000_000_007, .max]
            var unsigned: [UInt] = [0, 1, 10, 99, 100, .max]
            var bytes: [UInt8] = [0, 255]
            var halves: [UInt16] = [0, .max]
            var words: [UInt32] = [0, .max]
            var native: [Int] = [.min, 0, .max]
        }
        let text = String(decoding: try DocumentEncoder.encode(Widths()), as: UTF8.self)
        func spelled<I: BinaryInteger>(_ values: [I]) -> String {
            "[" + values.map { String($0) }.joined(separator: ",") + "]"
        }
        let widths = Widths()
        let expected =
            #"{"small":\#(spelled(widths.small)),"medium":\#(spelled(widths.medium)),"wide":\#(spelled(widths.wide)),"#
            + #""widest":\#(spelled(widths.widest)),"unsigned":\#(spelled(widths.unsigned)),"bytes":\#(spelled(widths.bytes)),"#
            + #""halves":\#(spelled(widths.halves)),"words":\#(spelled(widths.words)),"native":\#(spelled(widths.native))}"#
        #expect(text == expected)
        #expect(text.contains("-9223372036854775808") && text.contains("18446744073709551615"))
    }

    @Test func topLevelValuesAndEmptyEncodings() throws {
        struct Silent: Codable, Equatable {
            func encode(to encoder: any Encoder) throws {}
            init() {}
            init(from decoder: any Decoder) throws {}
        }
        #expect(String(decoding: try DocumentEncoder.encode(Silent()), as: UTF8.self) == "{}")
        #expect(String(decoding: try DocumentEncoder.encode([Silent()]), as: UTF8.self) == "[{}]")
        #expect(String(decoding: try DocumentEncoder.encode("a\"b"), as: UTF8.self) == #""a\"b""#)
        #expect(String(decoding: try DocumentEncoder.encode([String: [Int]]()), as: UTF8.self) == "{}")
        #expect(String(decoding: try DocumentEncoder.encode(Optional<Int>.none), as: UTF8.self) == "null")
        #expect(
            try JSONDecoder().decode([Double].self, from: try DocumentEncoder.encode([-0.0, 3, 1e300])) == [
                -0.0, 3, 1e300,
            ])
    }

    @Test func refusesWhatJSONCannotHold() {
        #expect(throws: EncodingError.self) { try DocumentEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try DocumentEncoder.encode(["x": Float.infinity]) }
    }

    /// A class whose superclass encodes into the same object, and one that asks for a super
    /// encoder (handed to JSONEncoder whole).
    @Test func classHierarchies() throws {
        class Base: Codable {
            var a = 1
        }
        final class Shared: Base {
            var b = 2
            enum Keys: String, CodingKey { case b }
            override func encode(to encoder: any Encoder) throws {
                try super.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(b, forKey: .b)
            }
        }
        final class Nested: Base {
            var c = 3
            enum Keys: String, CodingKey { case c }
            override func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(c, forKey: .c)
                try super.encode(to: container.superEncoder())
            }
        }
        let shared = try JSONSerialization.jsonObject(with: try DocumentEncoder.encode(Shared())) as? NSDictionary
        #expect(shared == ["a": 1, "b": 2])
        let nested = try JSONSerialization.jsonObject(with: try DocumentEncoder.encode(Nested())) as? NSDictionary
        #expect(nested == ["c": 3, "super": ["a": 1]])
    }
}
