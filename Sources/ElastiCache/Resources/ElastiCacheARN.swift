/// An ElastiCache ARN read once: `arn:PARTITION:elasticache:REGION:ACCOUNT:TYPE:ID`.
struct ElastiCacheARN: Equatable {
    var partition: String
    var region: String
    var account: String
    /// The resource type (`cluster`, `usergroup`, `reserved-instance`…).
    var type: String
    var id: String

    init?(_ arn: String) {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "elasticache" else { return nil }
        (partition, region, account) = (String(parts[1]), String(parts[3]), String(parts[4]))
        (type, id) = (String(parts[5]), String(parts[6]))
    }

    var scope: String { "\(account)/\(region)" }

    /// The ARN of resource `id` of `type` in this ARN's region and account (and `region`, when given).
    func sibling(_ type: String, _ id: String, region: String? = nil) -> String {
        "arn:\(partition):elasticache:\(region ?? self.region):\(account):\(type):\(id)"
    }
}
