import AWSModels
import ServiceContract

/// The facts a policy decision is made on.
package struct AccessRequest: Sendable {
    /// `service:Operation`, e.g. `elasticache:CreateCacheCluster`.
    package var action: String
    package var resource: String
    package var principal: Principal
    /// Condition keys (`aws:SourceArn`, `s3:x-amz-acl`, …), matched case-insensitively.
    package var context: [String: [String]]

    package init(action: String, resource: String, principal: Principal, context: [String: [String]] = [:]) {
        self.action = action
        self.resource = resource
        self.principal = principal
        var lowered: [String: [String]] = [:]
        for (key, values) in context { lowered[key.lowercased()] = values }
        self.context = lowered
    }
}

/// The outcome of evaluating one set of policies.
package enum PolicyDecision: Sendable, Equatable {
    case allow
    case explicitDeny
    /// Nothing allowed it.
    case implicitDeny
}

/// Evaluates policy documents as IAM does: an explicit deny wins, then any allow, else deny.
package enum PolicyEvaluator {
    /// - Parameter checkPrincipal: true for resource and trust policies, whose statements name
    ///   the principals they apply to.
    package static func evaluate(_ policies: [PolicyDocument], _ request: AccessRequest, checkPrincipal: Bool)
        -> PolicyDecision
    {
        var allowed = false
        for policy in policies {
            for statement in policy.statements where applies(statement, request, checkPrincipal: checkPrincipal) {
                if statement.effect == .deny { return .explicitDeny }
                allowed = true
            }
        }
        return allowed ? .allow : .implicitDeny
    }

    static func applies(_ statement: PolicyDocument.Statement, _ request: AccessRequest, checkPrincipal: Bool) -> Bool {
        if let actions = statement.action,
            !actions.contains(where: { wildcard($0, request.action, caseInsensitive: true) })
        {
            return false
        }
        if let actions = statement.notAction,
            actions.contains(where: { wildcard($0, request.action, caseInsensitive: true) })
        {
            return false
        }
        // Resource patterns may name policy variables (`arn:aws:s3:::home/${aws:username}/*`).
        func names(_ pattern: String) -> Bool {
            ConditionEvaluator.substitute(pattern, request.context).map { wildcard($0, request.resource) } ?? false
        }
        if let resources = statement.resource, !resources.contains(where: names) {
            return false
        }
        if let resources = statement.notResource, resources.contains(where: names) {
            return false
        }
        if checkPrincipal {
            if let principals = statement.principal, !matches(principals, request.principal) { return false }
            if let principals = statement.notPrincipal, matches(principals, request.principal) { return false }
        }
        return statement.conditions.allSatisfy { ConditionEvaluator.holds($0, request.context) }
    }

    /// Whether a `Principal` element names `principal`, and whether it names it by its own ARN
    /// (rather than by its account) — same-account role trust needs no identity policy then.
    package static func matches(_ principals: PolicyDocument.Principals, _ principal: Principal) -> Bool {
        if principals.any { return true }
        if principal.kind == .awsService {
            return principals.values["Service"]?.contains(principal.invokedBy ?? "") ?? false
        }
        for value in principals.values["AWS"] ?? [] {
            if value == principal.accountId || Partition.afterPartition(value) == "iam::\(principal.accountId):root" {
                return true
            }
            if namesExactly(value, principal) { return true }
        }
        return false
    }

    /// True when `value` is the principal's own ARN (or its role's, for a role session).
    package static func namesExactly(_ value: String, _ principal: Principal) -> Bool {
        value == principal.arn || (principal.kind == .assumedRole && value == principal.sessionIssuer?.arn)
    }

    /// Matches `*` (any run, `/` included) and `?` (one character).
    package static func wildcard(_ pattern: String, _ text: String, caseInsensitive: Bool = false) -> Bool {
        let p = Array((caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars)
        let t = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
