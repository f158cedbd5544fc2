/// CloudFormation-style resource types and names of ARNs, as event history reports them.
enum ResourceTypes {
    static let types: [String: String] = [
        "elasticache:cluster": "AWS::ElastiCache::CacheCluster",
        "elasticache:replicationgroup": "AWS::ElastiCache::ReplicationGroup",
        "elasticache:parametergroup": "AWS::ElastiCache::ParameterGroup",
        "elasticache:subnetgroup": "AWS::ElastiCache::SubnetGroup",
        "elasticache:securitygroup": "AWS::ElastiCache::SecurityGroup",
        "iam:user": "AWS::IAM::User",
        "iam:role": "AWS::IAM::Role",
        "iam:group": "AWS::IAM::Group",
        "iam:policy": "AWS::IAM::Policy",
        "s3:bucket": "AWS::S3::Bucket",
        "cloudtrail:trail": "AWS::CloudTrail::Trail",
    ]

    /// What event history knows of a resource ARN of a known type.
    struct Resource: Equatable {
        /// `AWS::ElastiCache::CacheCluster`.
        var type: String
        /// The resource's own name: the cluster id, user name, bucket name, trail name.
        var name: String?
        /// The ARN's account field, when it has one (S3 bucket ARNs have none).
        var account: String?
    }

    /// The ARN read once: `arn:aws:elasticache:r:a:cluster:x` is an `elasticache:cluster`
    /// named `x`; nil for unknown kinds, wildcards and S3 object ARNs.
    static func resource(_ arn: String) -> Resource? {
        // Split as bytes: splitting Characters walks grapheme clusters, on every recorded call.
        let utf8 = arn.utf8
        // Scanned in place: the generic `contains` on the view took ~1,000 instructions for
        // a Describe's wildcard ARN (callgrind).
        var text = arn
        guard !text.withUTF8({ $0.contains(UInt8(ascii: "*")) }) else { return nil }
        let parts = utf8.split(separator: UInt8(ascii: ":"), maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].elementsEqual("arn".utf8) else { return nil }
        let path = parts[5].split(whereSeparator: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") })
        let service = String(Substring(parts[2]))
        let kind: String
        if service == "s3" {
            guard !parts[5].contains(UInt8(ascii: "/")) else { return nil }
            kind = "s3:bucket"
        } else {
            kind = service + ":" + (path.first.map { String(Substring($0)) } ?? "")
        }
        guard let type = types[kind] else { return nil }
        return Resource(
            type: type, name: path.last.map { String(Substring($0)) },
            account: parts[4].isEmpty ? nil : String(Substring(parts[4])))
    }
}
