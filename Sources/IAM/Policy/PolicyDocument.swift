import AWSWire
import ServiceContract

/// A parsed IAM policy document: identity, trust, bucket or topic policy.
package struct PolicyDocument: Sendable, Equatable {
    package enum Effect: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
    }

    /// The `Principal` element: `"*"` or values per kind (`AWS`, `Service`, `Federated`).
    package struct Principals: Sendable, Equatable {
        package var any: Bool
        package var values: [String: [String]]
    }

    /// One `Condition` test: operator, context key, allowed values.
    package struct Condition: Sendable, Equatable {
        package var op: String
        package var key: String
        package var values: [String]
    }

    package struct Statement: Sendable, Equatable {
        package var sid: String?
        package var effect: Effect
        package var principal: Principals?
        package var notPrincipal: Principals?
        package var action: [String]?
        package var notAction: [String]?
        package var resource: [String]?
        package var notResource: [String]?
        package var conditions: [Condition]
    }

    package var version: String?
    package var statements: [Statement]

    package init(version: String?, statements: [Statement]) {
        self.version = version
        self.statements = statements
    }

    /// What kind of policy a document must be, which decides the elements it needs.
    package enum Use: Sendable {
        case identity
        case trust
        case resource
    }

    /// Parses `text`; throws a message as `MalformedPolicyDocument` words it.
    package static func parse(_ text: String, use: Use) throws(PolicyError) -> PolicyDocument {
        guard text.utf8.count <= 131_072 else { throw PolicyError("Cannot exceed quota for PolicySize: 131072") }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text, maxDepth: 16)
        } catch {
            throw PolicyError("Syntax errors in policy.")
        }
        guard case .object(let top) = json else { throw PolicyError("Syntax errors in policy.") }
        if let version = top["Version"], version != .string("2012-10-17"), version != .string("2008-10-17") {
            throw PolicyError("The policy failed legacy parsing")
        }
        let rawStatements: [JSONValue]
        switch top["Statement"] {
        case .array(let items)?: rawStatements = items
        case .object?: rawStatements = [top["Statement"] ?? .null]
        default: throw PolicyError("Missing required field Statement")
        }
        var statements: [Statement] = []
        for raw in rawStatements {
            statements.append(try parseStatement(raw, use: use))
        }
        return PolicyDocument(version: top["Version"]?.string, statements: statements)
    }

    private static func strings(_ value: JSONValue?, _ field: String) throws(PolicyError) -> [String]? {
        switch value {
        case nil: return nil
        case .string(let s)?: return [s]
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw PolicyError("Syntax errors in policy: \(field) must hold strings.")
                }
                out.append(s)
            }
            return out
        default: throw PolicyError("Syntax errors in policy: \(field) must be a string or a list of strings.")
        }
    }

    private static func principals(_ value: JSONValue?) throws(PolicyError) -> Principals? {
        switch value {
        case nil: return nil
        case .string("*")?: return Principals(any: true, values: [:])
        case .object(let fields)?:
            var values: [String: [String]] = [:]
            for (kind, raw) in fields {
                values[kind] = try strings(raw, "Principal") ?? []
            }
            return Principals(any: values["AWS"]?.contains("*") ?? false, values: values)
        default: throw PolicyError("Invalid principal in policy")
        }
    }

    private static func parseStatement(_ raw: JSONValue, use: Use) throws(PolicyError) -> Statement {
        guard case .object(let fields) = raw else { throw PolicyError("Syntax errors in policy.") }
        guard let effectText = fields["Effect"]?.string else { throw PolicyError("Missing required field Effect") }
        guard let effect = Effect(rawValue: effectText) else {
            throw PolicyError("Invalid effect: \(effectText)")
        }
        let action = try strings(fields["Action"], "Action")
        let notAction = try strings(fields["NotAction"], "NotAction")
        guard action != nil || notAction != nil else { throw PolicyError("Missing required field Action") }
        let resource = try strings(fields["Resource"], "Resource")
        let notResource = try strings(fields["NotResource"], "NotResource")
        let principal = try principals(fields["Principal"])
        let notPrincipal = try principals(fields["NotPrincipal"])
        switch use {
        case .identity:
            if principal != nil || notPrincipal != nil {
                throw PolicyError("Policy document should not specify a principal.")
            }
            if resource == nil && notResource == nil { throw PolicyError("Missing required field Resource") }
        case .trust:
            if principal == nil && notPrincipal == nil { throw PolicyError("Missing required field Principal") }
            if resource != nil { throw PolicyError("Has prohibited field Resource") }
        case .resource:
            if principal == nil && notPrincipal == nil { throw PolicyError("Missing required field Principal") }
        }
        for name in (action ?? []) + (notAction ?? []) where name != "*" && !name.contains(":") {
            throw PolicyError("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        }
        var conditions: [Condition] = []
        if let rawConditions = fields["Condition"] {
            guard case .object(let ops) = rawConditions else {
                throw PolicyError("Syntax errors in policy: Condition.")
            }
            for (op, block) in ops {
                guard case .object(let keys) = block else { throw PolicyError("Syntax errors in policy: Condition.") }
                for (key, rawValues) in keys {
                    var values: [String]
                    switch rawValues {
                    case .bool(let b): values = [b ? "true" : "false"]
                    case .number(let n): values = [n]
                    default: values = try strings(rawValues, "Condition") ?? []
                    }
                    values = values.map { $0 }
                    conditions.append(Condition(op: op, key: key, values: values))
                }
            }
        }
        return Statement(
            sid: fields["Sid"]?.string, effect: effect, principal: principal, notPrincipal: notPrincipal,
            action: action,
            notAction: notAction, resource: resource, notResource: notResource, conditions: conditions)
    }
}

/// A policy document that does not parse or does not fit its use.
package struct PolicyError: Error, Sendable, Equatable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }
}
