import AWSWire

/// CloudTrail's naming rules, with its exception names.
enum TrailValidation {
    /// 3–128 letters, digits, `.`, `_`, `-`; starting and ending with a letter or digit; no
    /// adjacent `.`, `_` or `-`; not shaped like an IP address.
    static func name(_ name: String) -> Bool {
        guard (3...128).contains(name.count), let first = name.first, let last = name.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else { return false }
        let punctuation = Array(name).map { "._-".contains($0) }
        if zip(punctuation, punctuation.dropFirst()).contains(where: { $0 && $1 }) { return false }
        let parts = name.split(separator: ".")
        return !(parts.count == 4 && parts.allSatisfy { Int($0) != nil })
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
