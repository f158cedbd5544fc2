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

    /// ``types`` by service and kind as bytes, compared in place: splitting the ARN into
    /// strings and looking the joined `service:kind` up cost ~11,700 instructions a create's
    /// record (callgrind).
    private static let byBytes: [(service: [UInt8], kind: [UInt8], type: String)] = types.map { key, type in
        let parts = key.split(separator: ":", maxSplits: 1)
        return (Array((parts.first ?? "").utf8), Array((parts.last ?? "").utf8), type)
    }

    /// The ARN read once: `arn:aws:elasticache:r:a:cluster:x` is an `elasticache:cluster`
    /// named `x` (the resource part's first and last non-empty pieces between `:` and `/`);
    /// nil for unknown kinds, wildcards and S3 object ARNs.
    static func resource(_ arn: String) -> Resource? {
        var arn = arn
        return arn.withUTF8 { bytes -> Resource? in
            let colon = UInt8(ascii: ":")
            let slash = UInt8(ascii: "/")
            guard !bytes.contains(UInt8(ascii: "*")), bytes.starts(with: "arn:".utf8) else { return nil }
            func colonAfter(_ start: Int) -> Int? { bytes[start...].firstIndex(of: colon) }
            // The colons that end the partition, service, region and account fields.
            guard let partitionEnd = colonAfter(4), let serviceEnd = colonAfter(partitionEnd + 1),
                let regionEnd = colonAfter(serviceEnd + 1), let accountEnd = colonAfter(regionEnd + 1)
            else { return nil }
            let service = bytes[(partitionEnd + 1)..<serviceEnd]
            let account = bytes[(regionEnd + 1)..<accountEnd]
            let rest = bytes[(accountEnd + 1)...]
            func isSeparator(_ byte: UInt8) -> Bool { byte == colon || byte == slash }
            // The first and last non-empty pieces of the resource part.
            var first: Range<Int>?
            var last: Range<Int>?
            var piece = rest.startIndex
            for index in rest.indices where isSeparator(rest[index]) {
                if index > piece {
                    first = first ?? piece..<index
                    last = piece..<index
                }
                piece = index + 1
            }
            if rest.endIndex > piece {
                first = first ?? piece..<rest.endIndex
                last = piece..<rest.endIndex
            }
            let isS3 = service.elementsEqual("s3".utf8)
            if isS3, rest.contains(slash) { return nil }
            guard
                let type = byBytes.first(where: { entry in
                    guard entry.service.elementsEqual(service) else { return false }
                    // Every S3 ARN without a `/` names a bucket.
                    if isS3 { return entry.kind.elementsEqual("bucket".utf8) }
                    return first.map { entry.kind.elementsEqual(bytes[$0]) } ?? false
                })?.type
            else { return nil }
            return Resource(
                type: type, name: last.map { String(decoding: bytes[$0], as: UTF8.self) },
                account: account.isEmpty ? nil : String(decoding: account, as: UTF8.self))
        }
    }
}
