import Foundation
import Testing

@testable import AWSWire

@Suite struct RandomIdentifierTests {
    @Test func idsAreLowercaseVersion4UUIDs() throws {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = RandomIdentifier.uuid()
            #expect(id.count == 36)
            #expect(id == id.lowercased())
            let parsed = try #require(UUID(uuidString: id))
            #expect(parsed.uuidString.lowercased() == id)
            let bytes = parsed.uuid
            #expect(bytes.6 >> 4 == 4)
            #expect(bytes.8 >> 6 == 0b10)
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }
}
