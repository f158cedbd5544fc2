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

    @Test(
        "the offering catalog covers every node type, both durations, three offering types, three engines; older generations also the three utilization types"
    )
    func offerings() {
        let catalog = ReservedNodeOperations.catalog
        let legacy = EngineCatalog.nodeTypes.filter {
            ReservedNodeOperations.legacyFamilies.contains($0.split(separator: ".").prefix(2).joined(separator: "."))
        }
        #expect(catalog.count == EngineCatalog.nodeTypes.count * 2 * 3 * 3 + legacy.count * 2 * 3 * 2)
        let heavy = catalog.first {
            $0.nodeType == "cache.m3.2xlarge" && $0.offeringType == "Heavy Utilization" && $0.duration == 31_536_000
        }
        #expect((heavy?.hourlyCharge ?? 0) > 0 && heavy?.usagePrice == 0 && (heavy?.fixedPrice ?? 0) > 0)
        let light = catalog.first { $0.nodeType == "cache.r3.large" && $0.offeringType == "Light Utilization" }
        #expect((light?.usagePrice ?? 0) > 0 && light?.hourlyCharge == 0)
        #expect(!catalog.contains { $0.nodeType == "cache.r6g.large" && $0.offeringType == "Light Utilization" })
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

/// ListAllowedNodeTypeModifications as the AWS CLI's example shows it for a cache.r5.xlarge.
struct NodeTypeModificationTests {
    /// A node type's family: it decides whether a cluster named into no VPC lands in EC2-Classic,
    /// and which reserved offerings are the legacy utilization ones.
    @Test func aNodeTypesFamilyIsItsTextBeforeTheSecondDot() {
        #expect(EngineCatalog.nodeFamily(of: "cache.m1.small") == "cache.m1")
        #expect(EngineCatalog.nodeFamily(of: "cache.r7g.12xlarge") == "cache.r7g")
        #expect(EngineCatalog.nodeFamily(of: "cache.t3") == "cache.t3")
        #expect(EngineCatalog.nodeFamily(of: "cache") == "cache")
        #expect(
            CacheClusterOperations.classicFamilies.contains(
                String(EngineCatalog.nodeFamily(of: "cache.m3.medium"))))
        #expect(
            !CacheClusterOperations.classicFamilies.contains(
                String(EngineCatalog.nodeFamily(of: "cache.t3.micro"))))
    }

    @Test func scalingCrossesFamiliesUpToCurrentGenerationsDownToAny() {
        let (up, down) = NodeTypeModifications.modifications(of: "cache.r5.xlarge")
        // Every type of the CLI example's lists (its catalog predates Graviton types).
        for type in [
            "cache.m5.12xlarge", "cache.m5.24xlarge", "cache.m5.4xlarge", "cache.r5.12xlarge",
            "cache.r5.24xlarge", "cache.r5.2xlarge", "cache.r5.4xlarge",
        ] {
            #expect(up.contains(type), "\(type)")
        }
        for type in [
            "cache.m3.large", "cache.m3.medium", "cache.m3.xlarge", "cache.m4.large", "cache.m4.xlarge",
            "cache.m5.2xlarge", "cache.m5.large", "cache.m5.xlarge", "cache.r3.large", "cache.r4.large",
            "cache.r4.xlarge", "cache.r5.large", "cache.t2.medium", "cache.t2.micro", "cache.t2.small",
            "cache.t3.medium", "cache.t3.micro", "cache.t3.small",
        ] {
            #expect(down.contains(type), "\(type)")
        }
        // Previous generations are never a scale-up, and the current type is in neither list.
        #expect(!up.contains("cache.m4.4xlarge") && !up.contains("cache.r3.2xlarge"))
        #expect(!up.contains("cache.r5.xlarge") && !down.contains("cache.r5.xlarge"))
        #expect(up == up.sorted() && down == down.sorted())
    }
}

/// Each family lists what the user guide says its engine version added.
struct ParameterCatalogTests {
    func names(_ family: String) -> Set<String> {
        Set((ParameterCatalog.parameters(family: family) ?? []).map(\.name))
    }

    @Test func laterFamiliesAddWhatTheirVersionAdded() throws {
        let added5 = ["active-defrag-max-scan-fields", "lua-replicate-commands", "replica-ignore-maxmemory"]
        let added6 = ["acllog-max-len", "active-expire-effort", "tracking-table-max-keys"]
        let added7 = ["cluster-allow-pubsubshard-when-down", "cluster-preferred-endpoint-type", "latency-tracking"]
        #expect(names("redis4.0").isDisjoint(with: added5 + added6 + added7))
        #expect(names("redis5.0").isSuperset(of: added5) && names("redis5.0").isDisjoint(with: added6 + added7))
        #expect(names("redis6.x").isSuperset(of: added5 + added6) && names("redis6.x").isDisjoint(with: added7))
        for family in ["redis7", "valkey7", "valkey8", "valkey9"] {
            #expect(names(family).isSuperset(of: added5 + added6 + added7), "\(family)")
            let all = ParameterCatalog.parameters(family: family) ?? []
            #expect(Set(all.map(\.name)).count == all.count, "\(family) lists a parameter twice")
        }
        let endpointType = try #require(
            ParameterCatalog.parameters(family: "redis7")?.first { $0.name == "cluster-preferred-endpoint-type" })
        #expect(endpointType.defaultValue == "tls-dynamic" && endpointType.accepts("ip") && !endpointType.accepts("x"))
        let replica = try #require(
            ParameterCatalog.parameters(family: "redis6.x")?.first { $0.name == "replica-ignore-maxmemory" })
        #expect(!replica.modifiable)
    }
}
