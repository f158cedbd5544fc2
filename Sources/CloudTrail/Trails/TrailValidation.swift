import AWSWire

/// CloudTrail's naming rules, with its exception names.
enum TrailValidation {
    /// Names are 3–128 letters, digits, `.`, `_`, `-`; start and end with a letter or digit; no
    /// adjacent `.`, `_` or `-`; not shaped like an IP address. The InvalidTrailNameException message of the first rule `name` breaks, as CloudTrail
    /// words it; nil for a valid name.
    static func problem(with name: String) -> String? {
        if name.count < 3 {
            return "Trail name too short. Minimum allowed length: 3 characters. "
                + "Specified name length: \(name.count) characters."
        }
        if name.count > 128 {
            return "Trail name too long. Maximum allowed length: 128 characters. "
                + "Specified name length: \(name.count) characters."
        }
        let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || "._-".contains(c)) }
        guard name.allSatisfy(allowed) else {
            return
                "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_)."
        }
        if let first = name.first, !(first.isLetter || first.isNumber) {
            return "Trail name must starts with a letter or number."
        }
        if let last = name.last, !(last.isLetter || last.isNumber) {
            return "Trail name must ends with a letter or number."
        }
        let punctuation = Array(name).map { "._-".contains($0) }
        if zip(punctuation, punctuation.dropFirst()).contains(where: { $0 && $1 }) {
            return "Trail name cannot have adjacent periods, underscores or dashes."
        }
        let parts = name.split(separator: ".")
        if parts.count == 4 && parts.allSatisfy({ Int($0) != nil }) {
            return "Trail name cannot be formatted as an IP address."
        }
        return nil
    }

    /// Whether `key` names a KMS key as CloudTrail accepts it: a key id (UUID), an alias
    /// (`alias/…`), or the ARN of either.
    static func kmsKeyId(_ key: String) -> Bool {
        let uuid = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/
        let alias = /alias\/[A-Za-z0-9\/_-]{1,250}/
        if key.wholeMatch(of: uuid) != nil || key.wholeMatch(of: alias) != nil { return true }
        let parts = key.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "kms", parts[4].count == 12 else { return false }
        let resource = String(parts[5])
        if resource.hasPrefix("key/") { return resource.dropFirst(4).wholeMatch(of: uuid) != nil }
        return resource.wholeMatch(of: alias) != nil
    }

    /// A trail name or ARN → (account, region, name); a bare name means the caller's.
    static func parse(_ nameOrArn: String, account: String, region: String) -> (
        account: String, region: String, name: String
    ) {
        let parts = nameOrArn.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 6, parts[0] == "arn", parts[2] == "cloudtrail", parts[5].hasPrefix("trail/") {
            return (String(parts[4]), String(parts[3]), String(parts[5].dropFirst("trail/".count)))
        }
        return (account, region, nameOrArn)
    }
}
