import AWSModels

/// Secrets never enter an event, a log line or an error message: sensitive shapes, and the
/// members the generator's patch table marks (secrets botocore does not mark, what AWS hides
/// such as SNS message bodies), are replaced by AWS's placeholder.
package enum Redaction {
    package static let hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

    static func hides(_ member: Member, shape: Shape) -> Bool {
        member.sensitive || shape.sensitive
    }
}
