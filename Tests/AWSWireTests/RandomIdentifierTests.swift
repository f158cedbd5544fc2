import Foundation
import Testing

@testable import AWSWire

@Suite struct RandomIdentifierTests {
    /// The bytes of `id`, checked to be a UUID in AWS's lowercase form with RFC 4122's variant.
    private static func uuidBytes(_ id: String) throws -> uuid_t {
        #expect(id.count == 36)
        #expect(id == id.lowercased())
        let parsed = try #require(UUID(uuidString: id))
        #expect(parsed.uuidString.lowercased() == id)
        #expect(parsed.uuid.8 >> 6 == 0b10)
        return parsed.uuid
    }

    @Test func idsAreLowercaseVersion4UUIDs() throws {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = RandomIdentifier.uuid()
            let bytes = try Self.uuidBytes(id)
            #expect(bytes.6 >> 4 == 4)
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }

    @Test func eventIdsAreVersion7AndSortByTheirTime() throws {
        let start: UInt64 = 1_764_806_400_123
        var previous = ""
        var seen = Set<String>()
        for step in 0..<1_000 {
            // Two ids per millisecond (each half-way through it): order within one is random.
            let millisecond = start + UInt64(step / 2)
            let time = Date(timeIntervalSince1970: (Double(millisecond) + 0.5) / 1_000)
            let id = RandomIdentifier.timeOrdered(at: time)
            let bytes = try Self.uuidBytes(id)
            #expect(bytes.6 >> 4 == 7)
            let milliseconds = [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5].reduce(UInt64(0)) {
                $0 << 8 | UInt64($1)
            }
            #expect(milliseconds == millisecond)
            if step % 2 == 0 { #expect(id > previous) }
            previous = id
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}
