import Testing

@testable import ResourceTagging

/// Resource-type filters as the Tagging API takes them: a service, or `service:type`.
struct ResourceTypeFilterTests {
    @Test(arguments: [
        ("arn:aws:elasticache:us-east-1:111122223333:cluster:c1", "elasticache:cluster", true),
        ("arn:aws:elasticache:us-east-1:111122223333:cluster:c1", "elasticache", true),
        ("arn:aws:elasticache:us-east-1:111122223333:replicationgroup:g", "elasticache:cluster", false),
        ("arn:aws:s3:::bucket", "s3:bucket", true),
        ("arn:aws:sns:us-east-1:111122223333:topic", "sns:topic", true),
        ("arn:aws:cloudtrail:us-east-1:111122223333:trail/main", "cloudtrail:trail", true),
        ("arn:aws:cloudtrail:us-east-1:111122223333:trail/main", "s3", false),
    ])
    func filters(arn: String, filter: String, expected: Bool) {
        #expect(TaggingService.matches(arn, type: filter) == expected)
    }
}
