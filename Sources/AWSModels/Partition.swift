/// An AWS partition: the second field of every ARN (`arn:aws-cn:…`) and the DNS suffix of its
/// regions' endpoints. A call's partition is its region's; an account here is not bound to
/// one, so the same credentials signed for `cn-north-1` act in `aws-cn`.
package enum Partition: String, Sendable, CaseIterable {
    case aws
    case awsCN = "aws-cn"
    case awsUSGov = "aws-us-gov"

    /// The partition of `region`; `aws` for a name no served partition lists (the gateway
    /// refuses those before any operation runs).
    package init(region: String) {
        if region.hasPrefix("cn-"), Regions.awsCN.contains(region) {
            self = .awsCN
        } else if region.hasPrefix("us-gov-"), Regions.awsUSGov.contains(region) {
            self = .awsUSGov
        } else {
            self = .aws
        }
    }

    /// The partition an ARN names, or nil when `arn` is not an ARN of a served partition.
    package init?(arn: String) {
        // As bytes, and of String rather than a generic StringProtocol (which other modules
        // called unspecialized, ~2 % of a Describe's samples): every signed call asks this of
        // its caller's ARN, and Character operations compare grapheme clusters.
        let bytes = arn.utf8
        guard bytes.starts(with: "arn:".utf8) else { return nil }
        let rest = bytes.dropFirst(4)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")),
            let partition = Partition(rawValue: String(decoding: rest[..<colon], as: UTF8.self))
        else { return nil }
        self = partition
    }

    /// Every region a credential scope may name, in all served partitions.
    package static let allRegions: Set<String> = Regions.aws.union(Regions.awsCN).union(Regions.awsUSGov)

    package var regions: Set<String> {
        switch self {
        case .aws: Regions.aws
        case .awsCN: Regions.awsCN
        case .awsUSGov: Regions.awsUSGov
        }
    }

    /// `amazonaws.com`, or `amazonaws.com.cn` in China.
    package var dnsSuffix: String {
        switch self {
        case .aws: Regions.awsDNSSuffix
        case .awsCN: Regions.awsCNDNSSuffix
        case .awsUSGov: Regions.awsUSGovDNSSuffix
        }
    }

    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
    package func arn(_ service: String, region: String = "", account: String = "", _ resource: String) -> String {
        // Sized once and appended piece by piece: the interpolation grew its buffer two or three
        // times (~3,900 instructions an ARN, callgrind; a create makes several).
        let partition = rawValue
        var arn = ""
        arn.reserveCapacity(
            9 + partition.utf8.count + service.utf8.count + region.utf8.count + account.utf8.count
                + resource.utf8.count)
        arn += "arn:"
        arn += partition
        arn += ":"
        arn += service
        arn += ":"
        arn += region
        arn += ":"
        arn += account
        arn += ":"
        arn += resource
        return arn
    }

    /// A CloudTrail trail's ARN (its home region's partition): trails, their bucket policies'
    /// `aws:SourceArn`, and "Unknown trail" messages name it.
    package static func trailARN(region: String, account: String, name: String) -> String {
        Partition(region: region).arn("cloudtrail", region: region, account: account, "trail/\(name)")
    }

    /// What follows `arn:PARTITION:` (`s3:::bucket/key`) in an ARN of any served partition.
    package static func afterPartition(_ arn: String) -> Substring? {
        guard let partition = Partition(arn: arn) else { return nil }
        return Substring(arn.dropFirst(5 + partition.rawValue.count))
    }
}
