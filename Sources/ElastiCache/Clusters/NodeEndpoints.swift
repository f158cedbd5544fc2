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
    /// A Memcached serverless cache's reader endpoint (`cluster` is the cache's node cluster).
    func serverlessReader(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int)
}

extension NodeEndpoints {
    package func serverlessReader(_ cluster: CacheClusterRecord, region: String) -> (address: String, port: Int) {
        node(cluster, nodeId: "0001", region: region)
    }
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
    /// Read in place (no split, no interpolation): every endpoint of every described cluster
    /// asks for it.
    static func segment(_ arn: String) -> String {
        let bytes = arn.utf8
        var colons = 0
        var (regionStart, regionEnd, accountEnd) = (bytes.startIndex, bytes.startIndex, bytes.startIndex)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: ":") {
                colons += 1
                switch colons {
                case 3: regionStart = bytes.index(after: index)
                case 4: regionEnd = index
                case 5: accountEnd = index
                default: break
                }
            }
            index = bytes.index(after: index)
        }
        // `arn:PARTITION:elasticache:REGION:ACCOUNT:TYPE:ID`: "ACCOUNT/REGION".
        guard colons == 6 else { return hash(arn) }
        var value = fnvBasis
        fnv(bytes[bytes.index(after: regionEnd)..<accountEnd], into: &value)
        fnv(CollectionOfOne(UInt8(ascii: "/")), into: &value)
        fnv(bytes[regionStart..<regionEnd], into: &value)
        return base36(value)
    }

    /// `usw2.cache.amazonaws.com`; `cnn1.cache.amazonaws.com.cn` in China. Computed once per
    /// region: every endpoint of every described cluster names it.
    static func domain(_ region: String) -> String {
        domains[region] ?? computedDomain(region)
    }

    private static let domains = Dictionary(
        uniqueKeysWithValues: Partition.allRegions.map { ($0, computedDomain($0)) })

    private static func computedDomain(_ region: String) -> String {
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
        var value = fnvBasis
        fnv(text.utf8, into: &value)
        return base36(value)
    }

    private static let fnvBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    private static func fnv(_ bytes: some Sequence<UInt8>, into value: inout UInt64) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }

    /// The six base-36 digits of `value % 36⁶`, least significant first.
    private static func base36(_ value: UInt64) -> String {
        var rest = value % 2_176_782_336
        return String(unsafeUninitializedCapacity: 6) { buffer in
            for position in 0..<6 {
                let digit = UInt8(rest % 36)
                rest /= 36
                buffer[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            }
            return 6
        }
    }
}
