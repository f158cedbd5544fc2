import Foundation

/// The AWS shared-credentials file in the data directory (`[profile]` sections).
package struct CredentialsFile: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// Adds or replaces `profile` with the given key pair; other profiles are kept.
    package func set(profile: String, accessKeyId: String, secretAccessKey: String) throws {
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var kept: [String] = []
        var skipping = false
        for line in existing.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                skipping = trimmed == "[\(profile)]"
            }
            if !skipping { kept.append(String(line)) }
        }
        while let last = kept.last, last.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeLast() }
        if !kept.isEmpty { kept.append("") }
        kept += [
            "[\(profile)]", "aws_access_key_id = \(accessKeyId)", "aws_secret_access_key = \(secretAccessKey)", "",
        ]
        let text = kept.joined(separator: "\n")
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// The key id of `profile`, if the file has it.
    package func accessKeyId(profile: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var inProfile = false
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { inProfile = trimmed == "[\(profile)]" }
            if inProfile, trimmed.hasPrefix("aws_access_key_id") {
                return trimmed.split(separator: "=", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
