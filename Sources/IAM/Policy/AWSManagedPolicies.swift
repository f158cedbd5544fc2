import AWSModels
import Foundation

/// AWS managed policies every account can attach (`arn:aws:iam::aws:policy/NAME`), with the
/// documents and version ids AWS publishes. ReadOnlyAccess is abridged: AWS's document lists
/// read actions of every service; here only the statements for the services this server hosts.
package enum AWSManagedPolicies {
    package struct Policy: Sendable {
        package var name: String
        package var policyId: String
        package var description: String
        package var versionId: String
        package var createDate: Date
        package var document: String
        /// AWS names its policies in every partition (`arn:aws-cn:iam::aws:policy/NAME`).
        package var partition = Partition.aws

        package var arn: String { partition.arn("iam", account: "aws", "policy/\(name)") }
    }

    /// The policy `arn` names, in the partition it names.
    package static func named(arn: String) -> Policy? {
        guard let partition = Partition(arn: arn) else { return nil }
        return all(in: partition).first { $0.arn == arn }
    }

    /// Every policy as `partition` names it: its ARN and the ARNs its document names.
    package static func all(in partition: Partition) -> [Policy] {
        all.map {
            var policy = $0
            policy.partition = partition
            if partition != .aws {
                policy.document = policy.document.replacingOccurrences(
                    of: "\"arn:aws:", with: "\"arn:\(partition.rawValue):")
            }
            return policy
        }
    }

    private static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    package static let all: [Policy] = [
        Policy(
            name: "AdministratorAccess", policyId: "ANPAIWMBCKSKIEE64ZLYK",
            description: "Provides full access to AWS services and resources.", versionId: "v1",
            createDate: date("2015-02-06T18:39:46Z"),
            document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#),
        Policy(
            name: "ReadOnlyAccess", policyId: "ANPAILL3HVNFSB6DCOWYQ",
            description: "Provides read-only access to AWS services and resources.", versionId: "v1",
            createDate: date("2015-02-06T18:39:48Z"),
            document: #"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:Describe*","cloudtrail:Get*","cloudtrail:List*","cloudtrail:LookupEvents","elasticache:Describe*","elasticache:List*","iam:Generate*","iam:Get*","iam:List*","iam:Simulate*","s3:Describe*","s3:Get*","s3:List*","sns:Check*","sns:Get*","sns:List*","tag:Get*"],"Resource":"*"}]}
                """#),
        Policy(
            name: "AmazonElastiCacheFullAccess", policyId: "ANPAIA2V44CPHAUAAECKG",
            description: "Provides full access to Amazon ElastiCache via the AWS Management Console.",
            versionId: "v2", createDate: date("2017-12-07T17:48:26Z"),
            document: #"""
                {"Version":"2012-10-17","Statement":[{"Action":"elasticache:*","Effect":"Allow","Resource":"*"},{"Action":"iam:CreateServiceLinkedRole","Effect":"Allow","Resource":"arn:aws:iam::*:role/aws-service-role/elasticache.amazonaws.com/AWSServiceRoleForElastiCache","Condition":{"StringLike":{"iam:AWSServiceName":"elasticache.amazonaws.com"}}}]}
                """#),
        Policy(
            name: "AmazonElastiCacheReadOnlyAccess", policyId: "ANPAIPDACSNQHSENWAKM2",
            description: "Provides read only access to Amazon ElastiCache via the AWS Management Console.",
            versionId: "v1", createDate: date("2015-02-06T18:40:21Z"),
            document: #"""
                {"Version":"2012-10-17","Statement":[{"Action":["elasticache:Describe*"],"Effect":"Allow","Resource":"*"}]}
                """#),
        Policy(
            name: "AWSCloudTrail_FullAccess", policyId: "ANPAQNGJVSKQOMYDUQC3B",
            description: "Provides full access to AWS CloudTrail.", versionId: "v3",
            createDate: date("2021-02-22T19:01:00Z"),
            document: #"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sns:AddPermission","sns:CreateTopic","sns:SetTopicAttributes","sns:GetTopicAttributes"],"Resource":["arn:aws:sns:*:*:aws-cloudtrail-logs*"]},{"Effect":"Allow","Action":["sns:ListTopics"],"Resource":"*"},{"Effect":"Allow","Action":["s3:CreateBucket","s3:PutBucketPolicy","s3:PutBucketPublicAccessBlock"],"Resource":["arn:aws:s3:::aws-cloudtrail-logs*"]},{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation","s3:GetBucketPolicy"],"Resource":"*"},{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"},{"Effect":"Allow","Action":["logs:CreateLogGroup"],"Resource":["arn:aws:logs:*:*:log-group:aws-cloudtrail-logs*"]},{"Effect":"Allow","Action":["iam:ListRoles","iam:GetRolePolicy","iam:GetUser"],"Resource":"*"},{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"cloudtrail.amazonaws.com"}}},{"Effect":"Allow","Action":["kms:CreateKey","kms:CreateAlias","kms:ListKeys","kms:ListAliases"],"Resource":"*"},{"Effect":"Allow","Action":["lambda:ListFunctions"],"Resource":"*"},{"Effect":"Allow","Action":["dynamodb:ListGlobalTables","dynamodb:ListTables"],"Resource":"*"}]}
                """#),
        Policy(
            name: "AWSCloudTrail_ReadOnlyAccess", policyId: "ANPAJDU7KJADWBSEQ3E7S",
            description: "Provides read only access to AWS CloudTrail.", versionId: "v1",
            createDate: date("2022-01-28T20:17:35Z"),
            document: #"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:Get*","cloudtrail:Describe*","cloudtrail:List*","cloudtrail:LookupEvents"],"Resource":"*"}]}
                """#),
    ]
}
