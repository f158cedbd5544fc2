import AWSModels
import Testing

/// Partitions as botocore's endpoints.json names them: ARNs and endpoint names follow the region.
struct PartitionTests {
    @Test(
        arguments: [
            ("us-east-1", Partition.aws, "amazonaws.com"), ("eu-west-3", .aws, "amazonaws.com"),
            ("cn-north-1", .awsCN, "amazonaws.com.cn"), ("cn-northwest-1", .awsCN, "amazonaws.com.cn"),
            ("us-gov-west-1", .awsUSGov, "amazonaws.com"), ("us-gov-east-1", .awsUSGov, "amazonaws.com"),
        ])
    func aRegionNamesItsPartition(region: String, partition: Partition, suffix: String) {
        #expect(Partition(region: region) == partition)
        #expect(partition.dnsSuffix == suffix)
        #expect(partition.regions.contains(region) && Partition.allRegions.contains(region))
    }

    @Test func regionsOfPartitionsNotServedAreNotAccepted() {
        #expect(!Partition.allRegions.contains("us-iso-east-1"))
        #expect(!Partition.allRegions.contains("cn-south-9"))
        #expect(Partition.allRegions.count == Regions.aws.count + 4)
    }

    @Test func arnsAreBuiltAndReadInEveryPartition() {
        let cluster = Partition.awsCN.arn("elasticache", region: "cn-north-1", account: "123456789012", "cluster:c1")
        #expect(cluster == "arn:aws-cn:elasticache:cn-north-1:123456789012:cluster:c1")
        #expect(Partition.aws.arn("s3", "bucket") == "arn:aws:s3:::bucket")
        #expect(
            Partition.awsUSGov.arn("iam", account: "123456789012", "root") == "arn:aws-us-gov:iam::123456789012:root")
        #expect(Partition(arn: cluster) == .awsCN)
        #expect(Partition(arn: "arn:aws-us-gov:s3:::b") == .awsUSGov)
        #expect(Partition.afterPartition("arn:aws-us-gov:s3:::b/k") == "s3:::b/k")
        for notServed in ["arn:aws-iso:s3:::b", "arn:", "aws:s3:::b", "arn:aws"] {
            #expect(Partition(arn: notServed) == nil && Partition.afterPartition(notServed) == nil)
        }
    }
}
