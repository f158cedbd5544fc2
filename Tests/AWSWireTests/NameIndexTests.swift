import AWSModels
import AWSWire
import Testing

/// ``NameIndex`` finds each name where a dictionary of the same names would.
struct NameIndexTests {
    @Test func everyMemberNameOfEveryHostedShapeIsFoundAtItsPosition() {
        for model in ServiceModel.hosted.values {
            for (shapeName, shape) in model.shapes where !shape.members.isEmpty {
                let names = shape.members.map(\.name)
                let index = NameIndex(names)
                for (position, name) in names.enumerated() {
                    #expect(index.position(of: name) == position, "\(name) in \(shapeName)")
                }
            }
        }
    }

    @Test func namesThatShareLengthAndEndsAreToldApart() {
        // Same length, first and last bytes: the same slot, told apart by comparing the name.
        let names = ["Abc", "Axc", "Ayc", "Azc", "A", "", "Ab", "AbcAbcAbcAbcAbcAbc", "é", "Abc"]
        let index = NameIndex(names)
        #expect(index.position(of: "Abc") == 0)  // a repeated name: its first position
        #expect(index.position(of: "Axc") == 1)
        #expect(index.position(of: "Ayc") == 2)
        #expect(index.position(of: "Azc") == 3)
        #expect(index.position(of: "A") == 4)
        #expect(index.position(of: "") == 5)
        #expect(index.position(of: "Ab") == 6)
        #expect(index.position(of: "AbcAbcAbcAbcAbcAbc") == 7)
        #expect(index.position(of: "é") == 8)
        for absent in ["Awc", "abc", "B", "Abcd", "e", "AbcAbcAbcAbcAbcAbC"] {
            #expect(index.position(of: absent) == nil, "\(absent)")
        }
        #expect(NameIndex([]).position(of: "A") == nil)
    }

    @Test func fieldsAreOrderedByTheirNamesPositionsAndUnknownOnesLeftOut() {
        let index = NameIndex(["Zeta", "Alpha", "Mid"])
        let fields: ShapeFields = [
            "Alpha": .integer(1), "Unknown": .integer(9), "Zeta": .integer(0), "Mid": .integer(2),
        ]
        let ordered = index.ordered(fields)
        #expect(ordered.map(\.position) == [0, 1, 2])
        #expect(ordered.map { fields.value(at: $0.field) } == [.integer(0), .integer(1), .integer(2)])
        #expect(ordered.map { fields.name(at: $0.field) } == ["Zeta", "Alpha", "Mid"])
        #expect(index.ordered([:]).isEmpty)
    }

    @Test func aLargeSetFillsNoMoreThanHalfItsSlots() {
        let names = (0..<300).map { "Member\($0)" }
        let index = NameIndex(names)
        for (position, name) in names.enumerated() { #expect(index.position(of: name) == position) }
        #expect(index.position(of: "Member300") == nil)
    }
}
