import AWSWire
import Foundation
import Testing

@testable import ElastiCache

struct ClusterLifecycleTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    let lifecycle = ClusterLifecycle(duration: 10)

    func cluster(_ status: ClusterStatus = .creating, nodes: Int = 2) -> CacheClusterRecord {
        CacheClusterRecord(
            id: "c", arn: "arn:aws:elasticache:us-east-1:1:cluster:c", engine: "memcached", engineVersion: "1.6.17",
            nodeType: "cache.t3.micro", status: status, readyAt: start.addingTimeInterval(10), numCacheNodes: nodes,
            nodes: (1...nodes).map {
                CacheNodeRecord(id: String(format: "%04d", $0), createTime: start, status: "creating")
            },
            azMode: "single-az", preferredAvailabilityZone: "us-east-1a", parameterGroup: "default.memcached1.6",
            maintenanceWindow: "sun:05:00-sun:06:00", port: 11211, createTime: nil, pending: nil,
            cacheSecurityGroupNames: ["default"], securityGroupIds: [], subnetGroup: nil, autoMinorVersionUpgrade: true,
            snapshotRetentionLimit: 0, snapshotWindow: nil, authTokenEnabled: false, transitEncryptionEnabled: false,
            notificationTopicArn: nil, replicationGroupId: nil, tags: [])
    }

    @Test func creatingBecomesAvailableOnlyWhenItsTimeComes() {
        var c = cluster()
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(9)) == .unchanged)
        #expect(c.status == .creating && c.createTime == nil)
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(10)) == .changed)
        #expect(c.status == .available)
        #expect(c.createTime == start.addingTimeInterval(10))
        #expect(c.nodes.allSatisfy { $0.status == "available" })
    }

    @Test func modifyingAppliesPendingNodeChanges() {
        var c = cluster(.available, nodes: 3)
        c.readyAt = nil
        c.pending = PendingChanges(numCacheNodes: 2, cacheNodeIdsToRemove: ["0002"], engineVersion: "1.6.22")
        lifecycle.begin(.modifying, &c, now: start)
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(5)) == .unchanged)
        #expect(c.pending?.numCacheNodes == 2)
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(10)) == .changed)
        #expect(c.status == .available && c.pending == nil)
        #expect(c.nodes.map(\.id) == ["0001", "0003"] && c.numCacheNodes == 2 && c.engineVersion == "1.6.22")
    }

    /// `isDue` answers what `settle` would do, for every status, before and at its time and
    /// with nodes not answering yet.
    @Test func isDueAgreesWithSettle() {
        let waiting = ClusterLifecycle(duration: 10, nodesReady: { _ in false })
        var pendingAvailable = cluster(.available)
        pendingAvailable.readyAt = nil
        pendingAvailable.pending = PendingChanges(numCacheNodes: 3, applyAt: start.addingTimeInterval(10))
        var idle = cluster(.available)
        idle.readyAt = nil
        let cases = [
            cluster(.creating), cluster(.rebooting), cluster(.modifying), cluster(.deleting), pendingAvailable, idle,
        ]
        for model in [lifecycle, waiting] {
            for record in cases {
                for offset in [9.0, 10, 30] {
                    let now = start.addingTimeInterval(offset)
                    var settled = record
                    let outcome = model.settle(&settled, now: now)
                    #expect(
                        model.isDue(record, now: now) == (outcome != .unchanged),
                        "\(record.status) at +\(offset) s")
                }
            }
        }
        #expect(lifecycle.isDue(cluster(.creating), now: start.addingTimeInterval(10)))
        #expect(!waiting.isDue(cluster(.creating), now: start.addingTimeInterval(10)))
        #expect(!lifecycle.isDue(idle, now: start.addingTimeInterval(1_000)))
    }

    @Test func addedNodesGetNewIds() {
        var c = cluster(.available, nodes: 2)
        c.pending = PendingChanges(numCacheNodes: 4)
        lifecycle.begin(.modifying, &c, now: start)
        _ = lifecycle.settle(&c, now: start.addingTimeInterval(60))
        #expect(c.nodes.map(\.id) == ["0001", "0002", "0003", "0004"])
    }

    @Test func pendingChangesWaitForTheMaintenanceWindow() {
        var c = cluster(.available)
        c.readyAt = nil
        c.pending = PendingChanges(numCacheNodes: 3, applyAt: start.addingTimeInterval(100))
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(99)) == .unchanged)
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(105)) == .changed)
        #expect(c.status == .modifying && c.pending?.numCacheNodes == 3)
        _ = lifecycle.settle(&c, now: start.addingTimeInterval(110))
        #expect(c.status == .available && c.numCacheNodes == 3)
    }

    @Test func deletingEndsInDeletion() {
        var c = cluster(.available)
        lifecycle.begin(.deleting, &c, now: start)
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(1)) == .unchanged)
        #expect(lifecycle.settle(&c, now: start.addingTimeInterval(10)) == .deleted)
    }

    @Test func rebootingReturnsToAvailable() {
        var c = cluster(.available)
        lifecycle.begin(.rebooting, &c, now: start)
        #expect(c.status.rawValue == "rebooting cache cluster nodes")
        _ = lifecycle.settle(&c, now: start.addingTimeInterval(10))
        #expect(c.status == .available)
    }
}

struct ValidationTests {
    @Test(arguments: ["a", "test-memcached", "Abc-1", String(repeating: "a", count: 40)])
    func validIdentifiers(_ id: String) throws {
        #expect(try ClusterValidation.clusterId(id) == id.lowercased())
    }

    @Test(arguments: ["", "1abc", "-abc", "abc-", "a--b", "a_b", "é", "abé", "a b", String(repeating: "a", count: 41)])
    func invalidIdentifiers(_ id: String) {
        #expect(throws: (any Error).self) { try ClusterValidation.clusterId(id) }
    }

    @Test func maintenanceWindows() throws {
        let window = try #require(MaintenanceWindow("thu:05:00-thu:06:00"))
        // Wednesday 2023-11-15 12:00 UTC → Thursday 2023-11-16 05:00 UTC.
        let wednesday = Date(timeIntervalSince1970: 1_700_049_600)
        #expect(window.nextStart(after: wednesday) == Date(timeIntervalSince1970: 1_700_110_800))
        #expect(MaintenanceWindow("thu:05:00-thu:05:30") == nil)
        #expect(MaintenanceWindow("sat:23:30-sun:00:30") != nil)
        #expect(MaintenanceWindow("someday") == nil)
    }

    @Test func regionCodesAndHashes() {
        #expect(SyntheticEndpoints.regionCode("us-west-2") == "usw2")
        // Pinned: endpoints and VPC ids derived from them must not change between releases.
        #expect(SyntheticEndpoints.hash("x") == "n460o8")
        #expect(SyntheticEndpoints.hash("000000000000us-east-1") == "veqyun")
        #expect(SyntheticEndpoints.segment("arn:aws:elasticache:us-east-1:000000000000:cluster:c") == "iegzz4")
        #expect(SyntheticEndpoints.segment("arn:aws-cn:elasticache:cn-north-1:123456789012:cluster:c") == "53k2vm")
    }
}

/// DescribeCacheClusters' cache: an unchanged cluster is answered from it, a changed one anew.
struct ClusterRenderCacheTests {
    let base = ClusterLifecycleTests()

    /// Endpoints that are not address-only (as real nodes' are).
    struct Moving: NodeEndpoints {
        func node(_ cluster: CacheClusterRecord, nodeId: String, region: String) -> (address: String, port: Int) {
            ("127.0.0.1", 21000)
        }
        func configuration(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int) {
            ("127.0.0.1", 21001)
        }
        func replicationGroup(_ group: ReplicationGroupRecord, nodeGroup: String?, reader: Bool) -> (
            address: String, port: Int
        ) { ("127.0.0.1", 21002) }
    }

    func identity(_ value: ShapeValue) -> ObjectIdentifier? {
        if case .encoded(let encoded) = value { return ObjectIdentifier(encoded) }
        return nil
    }

    @Test func anUnchangedClusterIsAnsweredFromTheCacheAndAChangedOneAnew() {
        let cache = ClusterRenderCache()
        var cluster = base.cluster(.available)
        let first = cache.value(cluster, region: "us-east-1", showNodes: true, endpoints: SyntheticEndpoints())
        let again = cache.value(cluster, region: "us-east-1", showNodes: true, endpoints: SyntheticEndpoints())
        #expect(identity(first) != nil && identity(first) == identity(again))
        #expect(
            first.unwrapped == cluster.shapeValue(region: "us-east-1", showNodes: true, endpoints: SyntheticEndpoints())
        )
        // Another rendering of the same cluster, or the cluster changed: not the kept answer.
        let withoutNodes = cache.value(cluster, region: "us-east-1", showNodes: false, endpoints: SyntheticEndpoints())
        #expect(identity(withoutNodes) != identity(first) && withoutNodes[member: "CacheNodes"] == nil)
        cluster.status = .modifying
        let changed = cache.value(cluster, region: "us-east-1", showNodes: true, endpoints: SyntheticEndpoints())
        #expect(changed[member: "CacheClusterStatus"]?.stringValue == "modifying")
        // Endpoints that are not a function of the record are never kept.
        let real = cache.value(cluster, region: "us-east-1", showNodes: true, endpoints: Moving())
        #expect(identity(real) == nil)
        #expect(real[member: "ConfigurationEndpoint"]?[member: "Port"]?.intValue == 21001)
    }

    @Test func aFullCacheStartsOver() {
        let cache = ClusterRenderCache(capacity: 1)
        var other = base.cluster(.available)
        other.arn = "arn:aws:elasticache:us-east-1:1:cluster:d"
        let first = cache.value(
            base.cluster(.available), region: "us-east-1", showNodes: false, endpoints: SyntheticEndpoints())
        _ = cache.value(other, region: "us-east-1", showNodes: false, endpoints: SyntheticEndpoints())
        let again = cache.value(
            base.cluster(.available), region: "us-east-1", showNodes: false, endpoints: SyntheticEndpoints())
        #expect(identity(first) != identity(again) && first == again)
    }
}
