import AWSModels

/// Secrets never enter an event, a log line or an error message: model members marked
/// sensitive and the members below are replaced by AWS's placeholder.
public enum Redaction {
    public static let hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

    /// Member names that carry secrets even where the model does not mark them sensitive.
    static let secretMembers: Set<String> = [
        "AuthToken", "Password", "Passwords", "NewPassword", "OldPassword", "SecretAccessKey", "SessionToken",
        "PrivateKey",
    ]

    static func hides(_ member: String, shape: Shape) -> Bool {
        shape.sensitive || secretMembers.contains(member)
    }
}
