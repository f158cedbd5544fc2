/// The engines, versions, parameter group families and node types this server offers, as
/// AWS documents them for ElastiCache (2015-02-02).
package enum EngineCatalog {
    package struct Version: Sendable {
        package var engine: String
        package var version: String
        package var family: String
        package var description: String
    }

    package static let versions: [Version] = [
        .init(engine: "memcached", version: "1.4.5", family: "memcached1.4", description: "memcached version 1.4.5"),
        .init(engine: "memcached", version: "1.4.14", family: "memcached1.4", description: "memcached version 1.4.14"),
        .init(engine: "memcached", version: "1.4.24", family: "memcached1.4", description: "memcached version 1.4.24"),
        .init(engine: "memcached", version: "1.4.33", family: "memcached1.4", description: "memcached version 1.4.33"),
        .init(engine: "memcached", version: "1.4.34", family: "memcached1.4", description: "memcached version 1.4.34"),
        .init(engine: "memcached", version: "1.5.10", family: "memcached1.5", description: "memcached version 1.5.10"),
        .init(engine: "memcached", version: "1.5.16", family: "memcached1.5", description: "memcached version 1.5.16"),
        .init(engine: "memcached", version: "1.6.6", family: "memcached1.6", description: "memcached version 1.6.6"),
        .init(engine: "memcached", version: "1.6.12", family: "memcached1.6", description: "memcached version 1.6.12"),
        .init(engine: "memcached", version: "1.6.17", family: "memcached1.6", description: "memcached version 1.6.17"),
        .init(engine: "memcached", version: "1.6.22", family: "memcached1.6", description: "memcached version 1.6.22"),
        .init(engine: "redis", version: "4.0.10", family: "redis4.0", description: "redis version 4.0.10"),
        .init(engine: "redis", version: "5.0.6", family: "redis5.0", description: "redis version 5.0.6"),
        .init(engine: "redis", version: "6.0.5", family: "redis6.x", description: "redis version 6.0.5"),
        .init(engine: "redis", version: "6.2.6", family: "redis6.x", description: "redis version 6.2.6"),
        .init(engine: "redis", version: "7.0.7", family: "redis7", description: "redis version 7.0.7"),
        .init(engine: "redis", version: "7.1.0", family: "redis7", description: "redis version 7.1.0"),
        .init(engine: "valkey", version: "7.2.6", family: "valkey7", description: "valkey version 7.2.6"),
        .init(engine: "valkey", version: "8.0.1", family: "valkey8", description: "valkey version 8.0.1"),
        .init(engine: "valkey", version: "9.0.0", family: "valkey9", description: "valkey version 9.0.0"),
    ]

    /// The version a cluster gets when the caller names none (for Valkey, 8.0: nodes here run
    /// Debian's redis-server 7, and Valkey 9's features beyond durability are not served).
    package static let defaultVersion: [String: String] = [
        "memcached": "1.6.22", "redis": "7.1.0", "valkey": "8.0.1",
    ]

    /// DescribeCacheEngineVersions' CacheEngineDescription, as AWS words it.
    static let engineDescription = ["memcached": "memcached", "redis": "Redis", "valkey": "Valkey"]

    package static let defaultPort: [String: Int] = ["memcached": 11211, "redis": 6379, "valkey": 6379]

    package static func version(engine: String, version: String) -> Version? {
        versions.first { $0.engine == engine && $0.version == version }
    }

    /// `cache.m1.small` → `cache.m1`: a node type up to its second dot, found in place (splitting
    /// it into an array and joining two parts back cost ~10,000 instructions a create, callgrind).
    package static func nodeFamily(of nodeType: String) -> Substring {
        var dots = 0
        for index in nodeType.utf8.indices where nodeType.utf8[index] == UInt8(ascii: ".") {
            dots += 1
            if dots == 2 { return nodeType[..<index] }
        }
        return nodeType[...]
    }

    /// Node types ElastiCache offers (current and previous generations).
    package static let nodeTypes: Set<String> = [
        "cache.t2.micro", "cache.t2.small", "cache.t2.medium", "cache.t3.micro", "cache.t3.small", "cache.t3.medium",
        "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", "cache.m1.small", "cache.m1.medium", "cache.m1.large",
        "cache.m1.xlarge", "cache.m3.medium", "cache.m3.large", "cache.m3.xlarge", "cache.m3.2xlarge",
        "cache.m4.large", "cache.m4.xlarge", "cache.m4.2xlarge", "cache.m4.4xlarge", "cache.m4.10xlarge",
        "cache.m5.large", "cache.m5.xlarge", "cache.m5.2xlarge", "cache.m5.4xlarge", "cache.m5.12xlarge",
        "cache.m5.24xlarge", "cache.m6g.large", "cache.m6g.xlarge", "cache.m6g.2xlarge", "cache.m6g.4xlarge",
        "cache.m6g.8xlarge", "cache.m6g.12xlarge", "cache.m6g.16xlarge", "cache.m7g.large", "cache.m7g.xlarge",
        "cache.m7g.2xlarge", "cache.m7g.4xlarge", "cache.m7g.8xlarge", "cache.m7g.12xlarge", "cache.m7g.16xlarge",
        "cache.r3.large", "cache.r3.xlarge", "cache.r3.2xlarge", "cache.r3.4xlarge", "cache.r3.8xlarge",
        "cache.r4.large", "cache.r4.xlarge", "cache.r4.2xlarge", "cache.r4.4xlarge", "cache.r4.8xlarge",
        "cache.r4.16xlarge", "cache.r5.large", "cache.r5.xlarge", "cache.r5.2xlarge", "cache.r5.4xlarge",
        "cache.r5.12xlarge", "cache.r5.24xlarge", "cache.r6g.large", "cache.r6g.xlarge", "cache.r6g.2xlarge",
        "cache.r6g.4xlarge", "cache.r6g.8xlarge", "cache.r6g.12xlarge", "cache.r6g.16xlarge", "cache.r7g.large",
        "cache.r7g.xlarge", "cache.r7g.2xlarge", "cache.r7g.4xlarge", "cache.r7g.8xlarge", "cache.r7g.12xlarge",
        "cache.r7g.16xlarge", "cache.c1.xlarge",
    ]
}
