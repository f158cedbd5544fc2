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
        "s3:bucket": "AWS::S3::Bucket",
        "cloudtrail:trail": "AWS::CloudTrail::Trail",
    ]

    /// The ARN's service and resource kind: `arn:aws:elasticache:r:a:cluster:x` → `elasticache:cluster`.
    static func kind(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !arn.contains("*") else { return nil }
        if parts[2] == "s3" { return parts[5].contains("/") ? nil : "s3:bucket" }
        let resource = parts[5].split(whereSeparator: { $0 == ":" || $0 == "/" }).first.map(String.init) ?? ""
        return "\(parts[2]):\(resource)"
    }

    static func type(_ arn: String) -> String? {
        kind(arn).flatMap { types[$0] }
    }

    /// The resource's own name: the cluster id, user name, bucket name, trail name.
    static func name(_ arn: String) -> String? {
        guard type(arn) != nil else { return nil }
        let tail = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        return tail.split(whereSeparator: { $0 == ":" || $0 == "/" }).last.map(String.init)
    }

    /// The ARN's account field, when it has one (S3 bucket ARNs have none).
    static func account(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, !parts[4].isEmpty else { return nil }
        return String(parts[4])
    }
}
