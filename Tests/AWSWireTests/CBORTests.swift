import AWSModels
import AWSWire
import Foundation
import Testing

/// Smithy RPC v2 CBOR bodies, checked against RFC 8949's Appendix A examples.
struct CBORTests {
    @Test(
        arguments: [
            (ShapeValue.integer(0), [0x00]), (.integer(23), [0x17]), (.integer(24), [0x18, 0x18]),
            (.integer(1000), [0x19, 0x03, 0xE8]), (.integer(1_000_000), [0x1A, 0x00, 0x0F, 0x42, 0x40]),
            (.integer(-1), [0x20]), (.integer(-1000), [0x39, 0x03, 0xE7]), (.boolean(true), [0xF5]),
            (.string("IETF"), [0x64, 0x49, 0x45, 0x54, 0x46]), (.blob([1, 2, 3, 4]), [0x44, 0x01, 0x02, 0x03, 0x04]),
            (.double(1.1), [0xFB, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A]),
            (.list([.integer(1), .list([.integer(2), .integer(3)])]), [0x82, 0x01, 0x82, 0x02, 0x03]),
            (.map(["a": .integer(1), "b": .list([.integer(2)])]), [0xA2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x81, 0x02]),
        ] as [(ShapeValue, [UInt8])])
    func encodesAsTheRFCDoes(value: ShapeValue, bytes: [UInt8]) {
        #expect(CBOR.encode(value) == bytes)
    }

    @Test func timestampsAreTaggedEpochSeconds() throws {
        let encoded = CBOR.encode(.timestamp(Date(timeIntervalSince1970: 1_363_896_240.5)))
        #expect(encoded == [0xC1, 0xFB, 0x41, 0xD4, 0x52, 0xD9, 0xEC, 0x20, 0x00, 0x00])
        #expect(try CBOR.decode(encoded) == .number("1363896240.5"))
    }

    @Test func decodesDefiniteIndefiniteAndHalfFloatItems() throws {
        // {_ "a": 1, "b": [_ 2, 3]}, indefinite map and array.
        #expect(
            try CBOR.decode([0xBF, 0x61, 0x61, 0x01, 0x61, 0x62, 0x9F, 0x02, 0x03, 0xFF, 0xFF])
                == .object(["a": .number("1"), "b": .array([.number("2"), .number("3")])]))
        // (_ "strea", "ming"): a chunked text string.
        #expect(
            try CBOR.decode([0x7F, 0x65, 0x73, 0x74, 0x72, 0x65, 0x61, 0x64, 0x6D, 0x69, 0x6E, 0x67, 0xFF])
                == .string("streaming"))
        #expect(try CBOR.decode([0xF9, 0x3C, 0x00]) == .number("1"))
        #expect(try CBOR.decode([0xF9, 0x3E, 0x00]) == .number("1.5"))
        #expect(try CBOR.decode([0x3B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x63]) == .number("-100"))
        #expect(try CBOR.decode([0x44, 0x01, 0x02, 0x03, 0x04]) == .string("AQIDBA=="))
        #expect(try CBOR.decode([0xF6]) == .null)
    }

    @Test func malformedBodiesAreRefusedWithTheirOffset() {
        #expect(throws: CBOR.DecodeError.self) { try CBOR.decode([0x82, 0x01]) }  // a missing element
        #expect(throws: CBOR.DecodeError.self) { try CBOR.decode([0xA1, 0x01, 0x02]) }  // a key that is not text
        #expect(throws: CBOR.DecodeError.self) { try CBOR.decode([0x01, 0x02]) }  // trailing data
        #expect(throws: CBOR.DecodeError.self) { try CBOR.decode([0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) }
        let deep = [UInt8](repeating: 0x81, count: 100) + [0x01]
        #expect(throws: CBOR.DecodeError.self) { try CBOR.decode(deep) }
    }

    @Test func theTaggingModelOffersRPCv2CBOR() {
        #expect(ServiceModel.resourceGroupsTagging.metadata.rpcV2CBOR)
        #expect(ServiceModel.hosted.values.allSatisfy { !$0.metadata.rpcV2CBOR })
    }
}
