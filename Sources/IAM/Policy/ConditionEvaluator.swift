import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// IAM's condition operators: String*, Arn*, Bool, IpAddress, Numeric*, Date*, Null, each with
/// `IfExists`, the set qualifiers `ForAnyValue:` and `ForAllValues:`, and policy variables
/// (`${aws:username}`) in the expected values.
package enum ConditionEvaluator {
    /// Whether `condition` holds for `context` (keys lower-cased). Unknown operators never hold.
    package static func holds(_ condition: PolicyDocument.Condition, _ context: [String: [String]]) -> Bool {
        var op = condition.op
        var qualifier: String?
        for prefix in ["ForAnyValue:", "ForAllValues:"] where op.hasPrefix(prefix) {
            qualifier = prefix
            op.removeFirst(prefix.count)
        }
        let ifExists = op.hasSuffix("IfExists")
        if ifExists { op.removeLast("IfExists".count) }
        let present = context[condition.key.lowercased()]
        if op == "Null" {
            let wantsAbsent = condition.values.first?.lowercased() == "true"
            return wantsAbsent == (present == nil)
        }
        let expected = condition.values.compactMap { substitute($0, context) }
        switch qualifier {
        case "ForAllValues:":
            // Every value the request has must match; none at all matches vacuously.
            return (present ?? []).allSatisfy { compare(op, expected, [$0]) }
        case "ForAnyValue:":
            return (present ?? []).contains { compare(op, expected, [$0]) }
        default:
            guard let actual = present, !actual.isEmpty else {
                return ifExists || op.contains("Not")
            }
            return compare(op, expected, actual)
        }
    }

    /// `${aws:username}` and the other policy variables replaced by the request's values; nil
    /// when a variable has no value (the expected value then matches nothing). `${*}`, `${?}`
    /// and `${$}` stand for the characters themselves.
    static func substitute(_ value: String, _ context: [String: [String]]) -> String? {
        guard value.contains("${") else { return value }
        var out = ""
        var rest = value[...]
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            out += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close])
            switch name {
            case "*", "?", "$": out += name
            default:
                guard let replacement = context[name.lowercased()]?.first else { return nil }
                out += replacement
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The operator `op` (without qualifier or IfExists) between the policy's and the request's values.
    static func compare(_ op: String, _ expected: [String], _ actual: [String]) -> Bool {
        func any(_ test: (String, String) -> Bool) -> Bool {
            actual.contains { a in expected.contains { e in test(e, a) } }
        }
        func numbers(_ test: (Double, Double) -> Bool) -> Bool {
            any { e, a in
                guard let e = Double(e), let a = Double(a) else { return false }
                return test(a, e)
            }
        }
        func dates(_ test: (Date, Date) -> Bool) -> Bool {
            any { e, a in
                guard let e = date(e), let a = date(a) else { return false }
                return test(a, e)
            }
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
        case "NumericEquals": return numbers(==)
        case "NumericNotEquals": return !numbers(==)
        case "NumericLessThan": return numbers(<)
        case "NumericLessThanEquals": return numbers(<=)
        case "NumericGreaterThan": return numbers(>)
        case "NumericGreaterThanEquals": return numbers(>=)
        case "DateEquals": return dates(==)
        case "DateNotEquals": return !dates(==)
        case "DateLessThan": return dates(<)
        case "DateLessThanEquals": return dates(<=)
        case "DateGreaterThan": return dates(>)
        case "DateGreaterThanEquals": return dates(>=)
        default: return false
        }
    }

    /// An ISO 8601 time or epoch seconds, as IAM's Date operators accept them.
    static func date(_ text: String) -> Date? {
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
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
