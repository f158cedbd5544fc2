import Foundation
import Testing

@testable import ElastiCache

@Suite("Access strings, automatic snapshot windows, reserved offerings")
struct AccessAndCatalogTests {
    @Test("access strings: keys, channels, commands and keywords pass; passwords and junk do not")
    func accessStrings() {
        for valid in [
            "on ~* +@all", "off", "on ~app:* &* -@dangerous +get +client|list", "on %R~cache:* allkeys nopass",
        ] {
            #expect(AccessString.isValid(valid), "\(valid)")
        }
        for invalid in ["", "on >secret", "on ~", "bogus", "on +", "on #abc"] {
            #expect(!AccessString.isValid(invalid), "\(invalid)")
        }
    }

    @Test("a daily window yields one start per day after the last snapshot, up to now")
    func windows() {
        let day: TimeInterval = 86_400
        let midnight = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: day))
        let starts = SnapshotOperations.windowStarts(
            "03:30-04:30", after: midnight.addingTimeInterval(4 * 3600),
            upTo: midnight.addingTimeInterval(3 * day + 3 * 3600))
        #expect(starts == [1, 2].map { midnight.addingTimeInterval($0 * day + 3.5 * 3600) })
        #expect(SnapshotOperations.windowStarts("03:30-04:30", after: midnight, upTo: midnight).isEmpty)
        #expect(SnapshotOperations.stamp(midnight.addingTimeInterval(3.5 * 3600)).hasSuffix("-03-30"))
    }

    @Test("the offering catalog covers every node type, both durations, three offering types, three engines")
    func offerings() {
        let catalog = ReservedNodeOperations.catalog
        #expect(catalog.count == EngineCatalog.nodeTypes.count * 2 * 3 * 3)
        #expect(Set(catalog.map(\.id)).count == catalog.count)
        let micro = catalog.filter {
            $0.nodeType == "cache.t3.micro" && $0.product == "redis" && $0.duration == 31_536_000
        }
        let byType = Dictionary(uniqueKeysWithValues: micro.map { ($0.offeringType, $0) })
        #expect(byType["No Upfront"]?.fixedPrice == 0)
        #expect(byType["All Upfront"]?.hourlyCharge == 0)
        #expect((byType["Partial Upfront"]?.fixedPrice ?? 0) > 0)
        #expect(ReservedNodeOperations.units("cache.r6g.4xlarge") == 64)
    }
}
