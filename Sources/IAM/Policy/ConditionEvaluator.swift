#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The condition operators CloudTrail bucket and topic policies use.
package enum ConditionEvaluator {
    /// Whether `condition` holds for `context` (keys lower-cased). Unknown operators never hold.
    package static func holds(_ condition: PolicyDocument.Condition, _ context: [String: [String]]) -> Bool {
        var op = condition.op
        let ifExists = op.hasSuffix("IfExists")
        if ifExists { op.removeLast("IfExists".count) }
        let present = context[condition.key.lowercased()]
        if op == "Null" {
            let wantsAbsent = condition.values.first?.lowercased() == "true"
            return wantsAbsent == (present == nil)
        }
        guard let actual = present, !actual.isEmpty else {
            return ifExists || op.contains("Not")
        }
        let expected = condition.values
        func any(_ test: (String, String) -> Bool) -> Bool {
            actual.contains { a in expected.contains { e in test(e, a) } }
        }
        switch op {
        case "StringEquals", "ArnEquals": return any { $0 == $1 }
        case "StringNotEquals", "ArnNotEquals": return !any { $0 == $1 }
        case "StringEqualsIgnoreCase": return any { $0.lowercased() == $1.lowercased() }
        case "StringNotEqualsIgnoreCase": return !any { $0.lowercased() == $1.lowercased() }
        case "StringLike", "ArnLike": return any { PolicyEvaluator.wildcard($0, $1) }
        case "StringNotLike", "ArnNotLike": return !any { PolicyEvaluator.wildcard($0, $1) }
        case "Bool": return any { $0.lowercased() == $1.lowercased() }
        case "IpAddress": return any { CIDR($0)?.contains($1) ?? false }
        case "NotIpAddress": return !any { CIDR($0)?.contains($1) ?? false }
        case "NumericEquals": return any { Double($0) != nil && Double($0) == Double($1) }
        case "NumericLessThan": return any { (Double($1) ?? .nan) < (Double($0) ?? .nan) }
        case "NumericGreaterThan": return any { (Double($1) ?? .nan) > (Double($0) ?? .nan) }
        default: return false
        }
    }
}

/// An IPv4 or IPv6 network in CIDR notation (a bare address is a /32 or /128).
package struct CIDR: Sendable {
    let network: [UInt8]
    let prefix: Int

    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = CIDR.bytes(String(parts[0])) else { return nil }
        let bits = address.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            self.prefix = bits
        }
        network = address
    }

    package func contains(_ text: String) -> Bool {
        guard let address = CIDR.bytes(text), address.count == network.count else { return false }
        var remaining = prefix
        for i in network.indices where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if address[i] & mask != network[i] & mask { return false }
            remaining -= take
        }
        return true
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    package static func isAddress(_ text: String) -> Bool { bytes(text) != nil }

    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
