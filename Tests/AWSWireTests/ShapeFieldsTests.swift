import Foundation
import Testing

@testable import AWSWire

/// A structure's members kept as pairs behave as the dictionary they replaced.
struct ShapeFieldsTests {
    @Test func aMemberIsSetReplacedAndRemovedByName() {
        var fields: ShapeFields = ["Engine": .string("redis"), "NumCacheNodes": .integer(1)]
        #expect(fields["Engine"] == .string("redis"))
        #expect(fields["Engin"] == nil)
        #expect(fields["EngineX"] == nil)
        fields["Engine"] = .string("valkey")
        fields["Port"] = .integer(6379)
        #expect(fields.count == 3)
        #expect(fields.keys == ["Engine", "NumCacheNodes", "Port"])
        #expect(fields["Engine"] == .string("valkey"))
        fields["NumCacheNodes"] = nil
        #expect(fields.keys == ["Engine", "Port"])
        #expect(fields.removeValue(forKey: "Port") == .integer(6379))
        #expect(fields.removeValue(forKey: "Port") == nil)
        #expect(fields.keys == ["Engine"])
        // A literal that repeats a name keeps its last value, as a dictionary's assignment would.
        let repeated = ShapeFields(dictionaryLiteral: ("A", .integer(1)), ("A", .integer(2)))
        #expect(repeated.count == 1 && repeated["A"] == .integer(2))
    }

    @Test func equalityIgnoresOrderAsADictionarysDid() {
        let one: ShapeFields = ["A": .integer(1), "B": .list([.string("x")])]
        let other: ShapeFields = ["B": .list([.string("x")]), "A": .integer(1)]
        #expect(one == other)
        #expect(ShapeValue.structure(one) == .structure(other))
        #expect(one != ["A": .integer(1)])
        #expect(one != ["A": .integer(1), "B": .list([])])
        #expect(one != ["A": .integer(1), "C": .list([.string("x")])])
    }

    @Test func mergeFilterAndMapKeepOrderAndCombineRepeats() {
        let base: ShapeFields = ["A": .integer(1), "B": .integer(2)]
        let merged = base.merging(["B": .integer(20), "C": .integer(3)]) { old, new in
            .integer((old.intValue ?? 0) + (new.intValue ?? 0))
        }
        #expect(merged.keys == ["A", "B", "C"])
        #expect(merged["B"] == .integer(22))
        let kept: ShapeFields = merged.filter { $0.key != "A" }
        #expect(kept.keys == ["B", "C"])
        #expect(kept.mapValues { .integer(($0.intValue ?? 0) * 2) } == ["B": .integer(44), "C": .integer(6)])
        #expect(kept.dictionary == ["B": .integer(22), "C": .integer(3)])
        #expect(ShapeFields(["X": .boolean(true)]).keys == ["X"])
    }

    /// Stored documents hold structures as JSON objects: the fields code as the dictionary did.
    @Test func fieldsCodeAsTheDictionaryTheyReplaced() throws {
        let fields: ShapeFields = [
            "Name": .string("é💡"), "Count": .integer(3), "Inner": .object(["On": .boolean(true)]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let asFields = try encoder.encode(ShapeValue.structure(fields))
        #expect(try JSONDecoder().decode(ShapeValue.self, from: asFields) == .structure(fields))
        struct Earlier: Codable { var structure: Inner; struct Inner: Codable { var _0: [String: ShapeValue] } }
        let earlier = try JSONDecoder().decode(Earlier.self, from: asFields)
        #expect(earlier.structure._0 == fields.dictionary)
        #expect(try encoder.encode(earlier) == asFields)
    }
}
