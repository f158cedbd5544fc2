import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// SimulatePrincipalPolicy and SimulateCustomPolicy: each action × resource evaluated with the
/// evaluator the gateway authorizes with, answered in AWS's shape (EvalDecision,
/// MatchedStatements, MissingContextValues, PermissionsBoundaryDecisionDetail).
struct SimulatorOperations {
    /// A policy under simulation, with the id and type the answer names it by.
    struct Source {
        var id: String
        var type: String
        var document: PolicyDocument
    }

    func handle(_ call: OperationCall, in tx: any StateReader) throws -> ShapeValue? {
        var identity = try Self.inputs(call, .policyInputList)
        var boundary = try Self.inputs(call, .permissionsBoundaryPolicyInputList)
        var principal = Principal.root(account: call.account)
        principal.kind = .iamUser
        if call.operation.name == "SimulatePrincipalPolicy" {
            let arn = try call.required(.policySourceArn)
            let (owners, boundaryId) = try Self.owners(of: arn, call, tx)
            identity += try IdentityStore.policySources(owners, account: call.account, in: tx).map { source in
                Source(id: source.id, type: source.type, document: try Self.parse(source.document, call))
            }
            if boundary.isEmpty, let boundaryId,
                let record = try tx.get(BoundaryRecord.self, kind: Kind.boundary, scope: call.account, id: boundaryId),
                let document = try ManagedPolicyOperations.document(record.policyArn, account: call.account, in: tx)
            {
                boundary = [
                    Source(id: record.policyArn, type: "user-managed", document: try Self.parse(document, call))
                ]
            }
            principal.arn = arn
        }
        var context: [String: [String]] = [:]
        for entry in call[.contextEntries]?.listValue ?? [] {
            guard let key = entry[member: MemberName.contextKeyName.rawValue]?.stringValue else { continue }
            context[key] = (entry[member: MemberName.contextKeyValues.rawValue]?.listValue ?? []).compactMap(
                \.stringValue)
        }
        let actions = (call[.actionNames]?.listValue ?? []).compactMap(\.stringValue)
        let resources = (call[.resourceArns]?.listValue ?? []).compactMap(\.stringValue)
        var results: [ShapeValue] = []
        for action in actions {
            for resource in resources.isEmpty ? ["*"] : resources {
                let request = AccessRequest(action: action, resource: resource, principal: principal, context: context)
                results.append(Self.evaluate(request, identity: identity, boundary: boundary))
            }
        }
        return .object(["EvaluationResults": .list(results), "IsTruncated": .boolean(false)])
    }

    static func evaluate(_ request: AccessRequest, identity: [Source], boundary: [Source]) -> ShapeValue {
        var matched: [ShapeValue] = []
        var missing = Set<String>()
        var denied = false
        var allowed = false
        for source in identity {
            for statement in source.document.statements {
                missing.formUnion(Self.missingKeys(statement, request))
                guard PolicyEvaluator.applies(statement, request, checkPrincipal: false) else { continue }
                matched.append(
                    .object(["SourcePolicyId": .string(source.id), "SourcePolicyType": .string(source.type)]))
                if statement.effect == .deny { denied = true } else { allowed = true }
            }
        }
        var boundaryAllows: Bool?
        if !boundary.isEmpty {
            let decision = PolicyEvaluator.evaluate(boundary.map(\.document), request, checkPrincipal: false)
            if decision == .explicitDeny { denied = true }
            boundaryAllows = decision == .allow
        }
        let decision =
            denied ? "explicitDeny" : allowed && boundaryAllows != false ? "allowed" : "implicitDeny"
        return .object([
            "EvalActionName": .string(request.action), "EvalResourceName": .string(request.resource),
            "EvalDecision": .string(decision), "MatchedStatements": .list(matched),
            "MissingContextValues": .list(missing.sorted().map(ShapeValue.string)),
            "PermissionsBoundaryDecisionDetail": boundaryAllows.map {
                .object(["AllowedByPermissionsBoundary": .boolean($0)])
            },
        ])
    }

    /// Condition keys a statement that names the action and resource asks for, absent from the
    /// request's context.
    private static func missingKeys(_ statement: PolicyDocument.Statement, _ request: AccessRequest) -> [String] {
        var unconditional = statement
        unconditional.conditions = []
        guard PolicyEvaluator.applies(unconditional, request, checkPrincipal: false) else { return [] }
        return statement.conditions.map(\.key).filter { request.context[$0.lowercased()] == nil }
    }

    /// The users, groups and roles whose policies a source ARN brings, and its boundary's id.
    private static func owners(of arn: String, _ call: OperationCall, _ tx: any StateReader) throws -> (
        [(AttachmentRecord.Owner, String)], String?
    ) {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "iam", parts[4] == Substring(call.account),
            let slash = parts[5].firstIndex(of: "/")
        else {
            throw call.error(.invalidInputException, "Invalid ARN: \(arn)")
        }
        let type = parts[5][..<slash]
        let name = String(parts[5].split(separator: "/").last ?? "")
        switch type {
        case "user":
            try IAMService.requireOwner(.user, name, call, tx)
            let groups = try IdentityStore.groups(of: name, account: call.account, in: tx)
            return ([(.user, name)] + groups.map { (.group, $0) }, "user/\(name)")
        case "role":
            try IAMService.requireOwner(.role, name, call, tx)
            return ([(.role, name)], "role/\(name)")
        case "group":
            try IAMService.requireOwner(.group, name, call, tx)
            return ([(.group, name)], nil)
        default:
            throw call.error(.invalidInputException, "Invalid ARN: \(arn)")
        }
    }

    private static func inputs(_ call: OperationCall, _ member: MemberName) throws -> [Source] {
        let list = (call[member]?.listValue ?? []).compactMap(\.stringValue)
        return try list.enumerated().map { index, text in
            Source(id: "\(member.rawValue).\(index + 1)", type: "none", document: try parse(text, call))
        }
    }

    private static func parse(_ text: String, _ call: OperationCall) throws -> PolicyDocument {
        do {
            return try PolicyDocument.parse(text, use: .identity)
        } catch {
            throw call.error(.policyEvaluationException, error.message)
        }
    }
}
