import AWSModels

/// Secrets never enter an event, a log line or an error message: model members marked
/// sensitive and the members below are replaced by AWS's placeholder.
package enum Redaction {
    package static let hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

    /// Member names that carry secrets even where the model does not mark them sensitive.
    static let secretMembers: Set<String> = [
        "AuthToken", "Password", "Passwords", "NewPassword", "OldPassword", "SecretAccessKey", "SessionToken",
        "PrivateKey",
    ]

    /// Per service, members AWS hides although they carry no secret (SNS message bodies).
    static let hiddenPerService: [String: Set<String>] = ["sns": ["Message", "Subject"]]

    static func hides(_ member: String, shape: Shape, service: String) -> Bool {
        shape.sensitive || secretMembers.contains(member) || hiddenPerService[service]?.contains(member) == true
    }
}
