import Testing

@testable import Persistence

/// The journal index's integer keys (``AttributeKey``).
@Suite struct AttributeKeyTests {
    private func key(
        _ value: String, attribute: Int = 1, account: String = "111111111111", region: String = "us-east-1"
    ) -> Int64 {
        AttributeKey.key(account: account, region: region, attribute: attribute, value: value)
    }

    /// Event ids of version 7 keep their order (the index appends a batch's ids at its end), in
    /// either case; other ids are hashed.
    @Test func eventIdsKeyInTheirOrder() {
        let ids = [
            "0192f0a1-0000-7000-8000-000000000000", "0192f0a1-0001-7abc-8000-000000000000",
            "0192F0A1-0001-7ABE-8000-000000000000", "0193aaaa-ffff-7fff-bfff-ffffffffffff",
        ]
        let keys = ids.map { key($0, attribute: JournalIndex.eventIdCode) }
        #expect(keys == keys.sorted())
        #expect(Set(keys).count == ids.count)
        #expect(keys.allSatisfy { $0 >= 0 })
        #expect(keys[0] == 0x0192_f0a1_0000_7000 >> 1)
        #expect(key(ids[0], attribute: JournalIndex.eventIdCode, account: "222222222222") == keys[0])
        for notAUUID in ["event-1", "0192f0a1-0000-7000-8000-00000000000", "0192f0a1x0000-7000-8000-000000000000"] {
            #expect(key(notAUUID, attribute: JournalIndex.eventIdCode) < 0)
        }
        #expect(key(ids[0]) < 0, "an id is ordered only as an event id")
    }

    /// A hashed key depends on every field, and fields do not run into each other.
    @Test func hashedKeysTellTheirFieldsApart() {
        let keys = [
            key("Create"), key("Create", attribute: 2), key("Create", account: "222222222222"),
            key("Create", region: "us-west-2"), key("Createx"), key("CreateCacheClusterWithAVeryLongName"),
            key("CreateCacheClusterWithAVeryLongNamf"), key("b", region: "us-east-1a"), key("ab", region: "us-east-1"),
            key(""),
        ]
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0 < 0 })
        #expect(key("Create") == key("Create"))
    }
}
