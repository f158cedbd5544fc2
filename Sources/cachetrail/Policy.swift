import AWSModels
import ArgumentParser
import CacheTrailServer
import Foundation

/// `cachetrail policy`: the resource policies CloudTrail's documentation gives for a trail's
/// bucket and topic, printed as JSON for `aws s3api put-bucket-policy` and
/// `aws sns set-topic-attributes`. Without them CreateTrail answers
/// InsufficientS3BucketPolicyException / InsufficientSnsTopicPolicyException, as AWS does.
struct Policy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Print CloudTrail's standard bucket or topic policy.",
        subcommands: [Bucket.self, Topic.self])

    /// Who may use the policy: CloudTrail, for one account's trails (or one trail).
    struct Scope: ParsableArguments {
        @Option(help: "The account whose trails write (the default account unless given).")
        var account = ServerConfiguration().accountId

        @Option(help: "Limit the policy to this trail (its name); needs --region.")
        var trail: String?

        @Option(help: "The trail's home region, with --trail.")
        var region: String?

        func sourceArn() throws -> String? {
            guard let trail else { return nil }
            guard let region else { throw ValidationError("--trail needs --region.") }
            return Partition.trailARN(region: region, account: account, name: trail)
        }

        /// The partition of `--region` (`aws` without one): every ARN of the policy names it.
        var partition: Partition { region.map { Partition(region: $0) } ?? .aws }
    }

    struct Bucket: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bucket",
            abstract: "The bucket policy that lets CloudTrail check the bucket's ACL and write log files.")

        @Option(help: "The bucket's name.") var bucket: String
        @Option(help: "The trail's S3 key prefix, if it has one.") var prefix: String?
        @OptionGroup var scope: Scope

        func run() throws {
            let source = try scope.sourceArn()
            let bucketArn = scope.partition.arn("s3", bucket)
            let logs = "\(bucketArn)/" + (prefix.map { "\($0)/" } ?? "") + "AWSLogs/\(scope.account)/*"
            var write: [String: Any] = ["s3:x-amz-acl": "bucket-owner-full-control"]
            if let source { write["aws:SourceArn"] = source }
            try Policy.print(statements: [
                Policy.statement(
                    "AWSCloudTrailAclCheck20150319", action: "s3:GetBucketAcl", resource: bucketArn,
                    condition: source.map { ["aws:SourceArn": $0] }),
                Policy.statement(
                    "AWSCloudTrailWrite20150319", action: "s3:PutObject", resource: logs, condition: write),
            ])
        }
    }

    struct Topic: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "topic",
            abstract: "The topic policy that lets CloudTrail publish a trail's notifications.")

        @Option(help: "The topic's ARN.") var topicArn: String
        @OptionGroup var scope: Scope

        func run() throws {
            let source = try scope.sourceArn()
            try Policy.print(statements: [
                Policy.statement(
                    "AWSCloudTrailSNSPolicy20131101", action: "SNS:Publish", resource: topicArn,
                    condition: source.map { ["aws:SourceArn": $0] })
            ])
        }
    }

    static func statement(_ sid: String, action: String, resource: String, condition: [String: Any]?) -> [String: Any] {
        var statement: [String: Any] = [
            "Sid": sid, "Effect": "Allow", "Principal": ["Service": "cloudtrail.amazonaws.com"], "Action": action,
            "Resource": resource,
        ]
        if let condition { statement["Condition"] = ["StringEquals": condition] }
        return statement
    }

    /// Writes the policy document; the values are escaped by the JSON writer.
    static func print(statements: [[String: Any]]) throws {
        let document: [String: Any] = ["Version": "2012-10-17", "Statement": statements]
        let data = try JSONSerialization.data(
            withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
