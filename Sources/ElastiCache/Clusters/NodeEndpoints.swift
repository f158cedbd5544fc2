import AWSModels
import Foundation

/// Where a cluster's nodes answer. The synthetic default gives AWS-shaped names; a later
/// engine-provisioning implementation returns addresses of real memcached/Redis processes.
package protocol NodeEndpoints: Sendable {
    func node(_ cluster: CacheClusterRecord, nodeId: String, region: String) -> (address: String, port: Int)
    /// The memcached configuration endpoint.
    func configuration(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int)
    /// A replication group's endpoints: `primary` and `reader` per node group, or the cluster
    /// configuration endpoint (`nodeGroup` nil) when cluster mode is enabled.
    func replicationGroup(_ group: ReplicationGroupRecord, nodeGroup: String?, reader: Bool) -> (
        address: String, port: Int
    )
}

/// `<cluster>.<hash>.<node>.<region code>.cache.amazonaws.com` (`.com.cn` in China), as AWS
/// names endpoints.
package struct SyntheticEndpoints: NodeEndpoints {
    package init() {}

    package func node(_ cluster: CacheClusterRecord, nodeId: String, region: String) -> (address: String, port: Int) {
        (
            "\(cluster.id).\(Self.segment(cluster.arn)).\(nodeId).\(Self.domain(region))",
            cluster.port
        )
    }

    package func configuration(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int) {
        ("\(cluster.id).\(Self.segment(cluster.arn)).cfg.\(Self.domain(region))", cluster.port)
    }

    package func replicationGroup(_ group: ReplicationGroupRecord, nodeGroup: String?, reader: Bool) -> (
        address: String, port: Int
    ) {
        let suffix =
            "\(Self.segment(group.arn)).\(nodeGroup.map { "ng.\($0)" } ?? "clustercfg").\(Self.domain(group.region))"
        return ("\(group.id)\(reader ? "-ro" : "").\(suffix)", group.port)
    }

    /// The endpoint segment AWS gives every cluster of one account in one region: six
    /// characters of the ARN's account and region.
    static func segment(_ arn: String) -> String {
        guard let parsed = ElastiCacheARN(arn) else { return hash(arn) }
        return hash("\(parsed.account)/\(parsed.region)")
    }

    /// `usw2.cache.amazonaws.com`; `cnn1.cache.amazonaws.com.cn` in China.
    static func domain(_ region: String) -> String {
        "\(regionCode(region)).cache.\(Partition(region: region).dnsSuffix)"
    }

    /// `us-west-2` → `usw2`.
    static func regionCode(_ region: String) -> String {
        let parts = region.split(separator: "-")
        guard parts.count == 3 else { return region }
        return "\(parts[0])\(parts[1].prefix(1))\(parts[2])"
    }

    /// Six stable base-36 characters derived from the ARN (FNV-1a).
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return String(String(value % 2_176_782_336, radix: 36).reversed()).padding(
            toLength: 6, withPad: "0", startingAt: 0)
    }
}
