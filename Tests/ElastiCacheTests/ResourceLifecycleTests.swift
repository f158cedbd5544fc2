import Foundation
import Testing

@testable import ElastiCache

/// The generic lifecycle, without a store: transient states settle exactly when their time has
/// passed, each family's own rules (global datastores, replication groups' events) apply.
struct ResourceLifecycleTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func group(_ status: ReplicationGroupRecord.Status, readyAt: Date?) -> ReplicationGroupRecord {
        ReplicationGroupRecord(
            id: "rg", description: "", arn: "arn:aws:elasticache:us-east-1:1:replicationgroup:rg", engine: "redis",
            engineVersion: "7.1", nodeType: "cache.t3.micro", status: status, readyAt: readyAt, clusterMode: false,
            automaticFailover: false, multiAZ: false, nodeGroups: [], parameterGroup: "default.redis7", port: 6379,
            maintenanceWindow: "sun:05:00-sun:06:00", snapshotRetentionLimit: 0, snapshotWindow: nil,
            authTokenEnabled: false, transitEncryptionEnabled: false, atRestEncryptionEnabled: false,
            autoMinorVersionUpgrade: true, createTime: nil, tags: [])
    }

    @Test func nothingMovesBeforeItsTime() {
        let creating = group(.creating, readyAt: start.addingTimeInterval(5))
        let outcome = creating.advanced(to: start.addingTimeInterval(4.999))
        #expect(!outcome.changed)
        #expect(outcome.record?.status == .creating)
        #expect(outcome.events.isEmpty)
    }

    @Test func creatingSettlesAtItsReadyTimeWithTheCreationTimeAndEvent() {
        let ready = start.addingTimeInterval(5)
        let outcome = group(.creating, readyAt: ready).advanced(to: start.addingTimeInterval(60))
        #expect(outcome.changed)
        #expect(outcome.record?.status == .available)
        #expect(outcome.record?.readyAt == nil)
        #expect(outcome.record?.createTime == ready)
        #expect(outcome.events.map(\.message) == ["Replication group rg created"])
        #expect(outcome.events.map(\.date) == [ready])
    }

    @Test func deletingRemovesTheRow() {
        let outcome = group(.deleting, readyAt: start).advanced(to: start)
        #expect(outcome.changed)
        #expect(outcome.record == nil)
        #expect(outcome.events.map(\.message) == ["Replication group rg deleted"])
    }

    @Test func stableStatusesStayEvenWithAStaleReadyTime() {
        let outcome = group(.available, readyAt: start).advanced(to: start.addingTimeInterval(60))
        #expect(!outcome.changed)
        #expect(outcome.record?.status == .available)
    }

    @Test func everyTransientStatusOfEveryFamilySettles() {
        let families: [(String, Settlement<String>?)] =
            [ServerlessCacheRecord.Status.creating, .modifying, .deleting, .available].map {
                ($0.rawValue, $0.settlement.map { settlement in map(settlement) })
            }
            + [UserRecord.Status.creating, .modifying, .deleting, .active].map {
                ($0.rawValue, $0.settlement.map { settlement in map(settlement) })
            }
        #expect(
            families.map(\.0) == [
                "creating", "modifying", "deleting", "available", "creating", "modifying", "deleting", "active",
            ])
        #expect(
            families.map(\.1) == [
                .becomes("available"), .becomes("available"), .removed, nil, .becomes("active"), .becomes("active"),
                .removed, nil,
            ])
    }

    func map<Status: ResourceStatus>(_ settlement: Settlement<Status>) -> Settlement<String> {
        switch settlement {
        case .becomes(let status): .becomes(status.rawValue)
        case .removed: .removed
        }
    }

    @Test func aGlobalDatastoreWithoutSecondariesSettlesPrimaryOnly() {
        var global = GlobalDatastoreRecord(
            id: "abcde-g", description: "", status: .creating, readyAt: start, nodeType: "cache.r6g.large",
            engine: "redis", engineVersion: "7.1", clusterEnabled: false, nodeGroupCount: 1, automaticFailover: false,
            authTokenEnabled: false, transitEncryptionEnabled: false, atRestEncryptionEnabled: false,
            members: [.init(replicationGroupId: "rg", region: "us-east-1", role: "primary")],
            arn: "arn:aws:elasticache::1:globalreplicationgroup:abcde-g")
        #expect(global.advanced(to: start).record?.status == .primaryOnly)
        global.members.append(.init(replicationGroupId: "rg2", region: "eu-west-1", role: "secondary"))
        #expect(global.advanced(to: start).record?.status == .available)
    }
}
