import Foundation
import Testing

@testable import CacheNodes
@testable import ElastiCache

/// Which node follows which, from the stored groups alone.
struct ReplicationLayoutTests {
    func group(_ id: String, roles: [(String, String)], failover: Bool) -> ReplicationGroupRecord {
        ReplicationGroupRecord(
            id: id, description: "", arn: "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:\(id)",
            engine: "redis", engineVersion: "7.1", nodeType: "cache.t4g.small", status: .available, readyAt: nil,
            clusterMode: false, automaticFailover: failover, multiAZ: false,
            nodeGroups: [
                .init(id: "0001", slots: "", members: roles.map { .init(clusterId: $0.0, role: $0.1) })
            ],
            parameterGroup: "default.redis7", port: 6379, maintenanceWindow: "", snapshotRetentionLimit: 0,
            snapshotWindow: nil, authTokenEnabled: false, transitEncryptionEnabled: false,
            atRestEncryptionEnabled: false, autoMinorVersionUpgrade: true, createTime: nil, tags: [])
    }

    @Test func replicasFollowThePrimaryOfTheirGroup() {
        let layout = ReplicationLayout([
            group(
                "orders", roles: [("orders-001", "replica"), ("orders-002", "primary"), ("orders-003", "replica")],
                failover: true),
            group("solo", roles: [("solo-001", "primary")], failover: false),
        ])
        let key = { (id: String) in "arn:aws:elasticache:us-east-1:123456789012:cluster:\(id)/0001" }
        #expect(layout.replicaOf == [key("orders-001"): key("orders-002"), key("orders-003"): key("orders-002")])
        #expect(layout.groups[0].primary == key("orders-002"))
        #expect(layout.groups[0].replicas == [key("orders-001"), key("orders-003")])
        // Only a primary with automatic failover and a replica fails over; "solo" is restarted.
        #expect(layout.failoverPrimaries == [key("orders-002")])
    }

    /// A global datastore's secondary region follows the primary region's primary.
    @Test func aGlobalSecondaryFollowsThePrimaryRegion() {
        var west = group("west", roles: [("west-001", "primary")], failover: false)
        west.arn = "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:west"
        let east = group("east", roles: [("east-001", "primary")], failover: false)
        let layout = ReplicationLayout(
            [east, west], globals: [GlobalReplication(primary: east.arn, secondaries: [west.arn])])
        #expect(
            layout.replicaOf["arn:aws:elasticache:us-west-2:123456789012:cluster:west-001/0001"]
                == "arn:aws:elasticache:us-east-1:123456789012:cluster:east-001/0001")
    }

    /// In cluster mode a secondary's shards join the primary's cluster as replicas (guests) of
    /// the primary's shards of the same position; a primary with only guests does not fail over
    /// to them in the store.
    @Test func aClusterModeSecondaryJoinsThePrimarysCluster() {
        func sharded(_ id: String, region: String) -> ReplicationGroupRecord {
            var record = group(id, roles: [], failover: true)
            record.arn = "arn:aws:elasticache:\(region):123456789012:replicationgroup:\(id)"
            record.clusterMode = true
            record.nodeGroups = ["0001", "0002"].map { shard in
                .init(id: shard, slots: "", members: [.init(clusterId: "\(id)-\(shard)-001", role: "primary")])
            }
            return record
        }
        let east = sharded("east", region: "us-east-1")
        let west = sharded("west", region: "us-west-2")
        let layout = ReplicationLayout(
            [east, west], globals: [GlobalReplication(primary: east.arn, secondaries: [west.arn])])
        let westNode = { (shard: String) in "arn:aws:elasticache:us-west-2:123456789012:cluster:west-\(shard)-001/0001"
        }
        #expect(layout.groups[0].shards.map(\.replicas) == [[westNode("0001")], [westNode("0002")]])
        #expect(layout.groups[0].shards.map(\.guests) == [[westNode("0001")], [westNode("0002")]])
        #expect(layout.groups[1].joinedTo == east.arn)
        #expect(layout.clusterModeNodes[westNode("0002")] == east.arn)
        #expect(layout.failoverPrimaries.isEmpty)
        #expect(layout.replicaOf.isEmpty)
    }
}
