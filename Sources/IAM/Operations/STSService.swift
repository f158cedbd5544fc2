import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// STS (Query, 2011-06-15): caller identity and temporary credentials.
package struct STSService: ServiceHandler {
    package let model = ServiceModel.sts
    let authorizer = Authorizer()

    package init() {}

    package func resource(for call: OperationCall) -> String? {
        switch call.operation.name {
        case "GetFederationToken":
            call.partition.arn("sts", account: call.account, "federated-user/\(call.string(.name) ?? "")")
        default: nil
        }
    }

    /// AssumeRole's record names the role (`resources`, type AWS::IAM::Role), as AWS's does.
    package func recordedResource(for call: OperationCall) -> String? {
        call.operation.name == "AssumeRole" ? call.string(.roleArn) : nil
    }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        switch call.operation.name {
        case "GetCallerIdentity":
            return .object([
                "UserId": .string(call.principal.principalId), "Account": .string(call.account),
                "Arn": .string(call.principal.arn),
            ])
        case "AssumeRole": return try assumeRole(call, tx)
        case "GetSessionToken": return try getSessionToken(call, tx)
        case "GetFederationToken": return try getFederationToken(call, tx)
        default: throw AWSError.invalidAction(call.operation.name)
        }
    }

    /// The largest session token STS issues here: MinimumSessionTokenSize's own maximum.
    static let maximumSessionTokenSize = 4096

    /// New session credentials, with SessionTokenSize and SessionTokenUtilization (the token is
    /// padded to MinimumSessionTokenSize when the caller asks for one).
    private func issue(_ principal: Principal, duration: Int, call: OperationCall, in tx: any StateWriter) throws
        -> ShapeFields
    {
        let keyId = Identifiers.make("ASIA")
        var principal = principal
        principal.accessKeyId = keyId
        principal.sessionCreationDate = call.now
        let session = SessionRecord(
            accessKeyId: keyId, secretAccessKey: Identifiers.secret(),
            sessionToken: Identifiers.sessionToken(minimumSize: call.int(.minimumSessionTokenSize) ?? 0),
            expiration: call.now.addingTimeInterval(TimeInterval(duration)), principal: principal,
            issuerId: try IdentityStore.issuerId(of: principal, in: tx))
        try tx.put(session, kind: Kind.session, scope: Kind.global, id: session.accessKeyId)
        let credentials = ShapeValue.object([
            "AccessKeyId": .string(session.accessKeyId), "SecretAccessKey": .string(session.secretAccessKey),
            "SessionToken": .string(session.sessionToken), "Expiration": .timestamp(session.expiration),
        ])
        let size = session.sessionToken.utf8.count
        return [
            "Credentials": credentials, "SessionTokenSize": .integer(Int64(size)),
            "SessionTokenUtilization": .integer(Int64(min(100, size * 100 / Self.maximumSessionTokenSize))),
        ]
    }

    /// The session policies of the call, `Policy` and the managed policies `PolicyArns` names,
    /// as one document holding all their statements: a session may do what its identity
    /// policies allow and any of its session policies allows.
    private func sessionPolicy(_ call: OperationCall, in tx: any StateReader) throws -> String? {
        var texts: [String] = []
        if let text = call.string(.policy) { texts.append(text) }
        for entry in call[.policyArns]?.listValue ?? [] {
            guard let arn = entry[member: "arn"]?.stringValue else { continue }
            let account =
                arn.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first
                .map(String.init) ?? call.account
            guard let document = try ManagedPolicyOperations.document(arn, account: account, in: tx) else {
                throw call.error(
                    .malformedPolicyDocumentException, "Policy \(arn) does not exist or is not attachable.")
            }
            texts.append(document)
        }
        guard !texts.isEmpty else { return nil }
        var statements: [Any] = []
        for text in texts {
            do {
                _ = try PolicyDocument.parse(text, use: .identity)
            } catch {
                throw call.error(.malformedPolicyDocumentException, error.message)
            }
            let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
            switch object?["Statement"] {
            case let list as [Any]: statements += list
            case let one?: statements.append(one)
            case nil: break
            }
        }
        if texts.count == 1 { return texts[0] }
        let merged: [String: Any] = ["Version": "2012-10-17", "Statement": statements]
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// `\w` (ASCII letters, digits, underscore) and `+=,.@-`.
    static let sessionNameCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")

    private func assumeRole(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        let roleArn = try call.required(.roleArn)
        let sessionName = try call.required(.roleSessionName)
        // The model's pattern `[\w+=,.@-]*` (2 to 64 characters; the length is checked by the decoder).
        guard sessionName.unicodeScalars.allSatisfy({ Self.sessionNameCharacters.contains($0) }) else {
            throw AWSError.validation(
                "1 validation error detected: Value '\(sessionName.prefix(64))' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
            )
        }
        let caller = call.principal
        let request = AccessRequest(
            action: "sts:AssumeRole", resource: roleArn, principal: caller,
            context: call.globalConditionKeys)
        let parts = roleArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("role/") else {
            throw AWSError.validation("\(roleArn) is invalid")
        }
        let roleAccount = String(parts[4])
        let roleName = String(parts[5].split(separator: "/").last ?? "")
        guard let role = try tx.get(RoleRecord.self, kind: Kind.role, scope: roleAccount, id: roleName),
            let trust = try? PolicyDocument.parse(role.assumeRolePolicyDocument, use: .trust)
        else {
            throw authorizer.denied(request, "because no resource-based policy allows the sts:AssumeRole action")
        }
        // The trust policy must allow the caller. Naming the caller's own ARN in the same account
        // suffices; naming its account (or another account's caller) needs its identity policy too.
        guard PolicyEvaluator.evaluate([trust], request, checkPrincipal: true) == .allow else {
            throw authorizer.denied(request, "because no resource-based policy allows the sts:AssumeRole action")
        }
        let namedExactly = trust.statements.contains { statement in
            statement.effect == .allow
                && (statement.principal?.values["AWS"] ?? []).contains { PolicyEvaluator.namesExactly($0, caller) }
        }
        let (identity, limit) = authorizer.identityDecision(
            request, try authorizer.identity(of: request.principal, in: tx))
        if identity == .explicitDeny {
            throw authorizer.denied(
                request, "with an explicit deny in \(limit?.article ?? "an identity-based policy")")
        }
        // A trust policy that names the caller's ARN exactly allows it within the account,
        // whatever its identity policies, boundary or session policy allow.
        let trusted = namedExactly && roleAccount == caller.accountId
        if let limit, identity != .allow, !trusted {
            throw authorizer.denied(request, "because no \(limit.name) allows the sts:AssumeRole action")
        }
        if identity != .allow && !trusted {
            throw authorizer.denied(request, "because no identity-based policy allows the sts:AssumeRole action")
        }
        let duration = call.int(.durationSeconds) ?? 3600
        guard duration <= role.maxSessionDuration else {
            throw AWSError.validation(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        }
        let sessionArn = call.partition.arn("sts", account: roleAccount, "assumed-role/\(role.roleName)/\(sessionName)")
        let principal = Principal(
            kind: .assumedRole, principalId: "\(role.roleId):\(sessionName)", arn: sessionArn, accountId: roleAccount,
            sessionIssuer: .init(
                type: "Role", principalId: role.roleId, arn: role.arn, accountId: roleAccount, userName: role.roleName),
            policyRole: role.roleName, sessionPolicy: try sessionPolicy(call, in: tx))
        var answer = try issue(principal, duration: duration, call: call, in: tx)
        answer["AssumedRoleUser"] = .object([
            "AssumedRoleId": .string(principal.principalId), "Arn": .string(sessionArn),
        ])
        return .structure(answer)
    }

    private func getSessionToken(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        guard !call.principal.isSession else {
            throw AWSError.accessDenied("Cannot call GetSessionToken with session credentials")
        }
        let maximum = call.principal.kind == .root ? 3600 : 129_600
        let duration = min(call.int(.durationSeconds) ?? 43_200, maximum)
        return .structure(try issue(call.principal, duration: duration, call: call, in: tx))
    }

    private func getFederationToken(_ call: OperationCall, _ tx: any StateWriter) throws -> ShapeValue? {
        guard !call.principal.isSession else {
            throw AWSError.accessDenied("Cannot call GetFederationToken with session credentials")
        }
        let name = try call.required(.name)
        let maximum = call.principal.kind == .root ? 3600 : 129_600
        let duration = min(call.int(.durationSeconds) ?? 43_200, maximum)
        let arn = call.partition.arn("sts", account: call.account, "federated-user/\(name)")
        let federated = Principal(
            kind: .federatedUser, principalId: "\(call.account):\(name)", arn: arn, accountId: call.account,
            sessionIssuer: .init(
                type: call.principal.kind == .root ? "Root" : "IAMUser", principalId: call.principal.principalId,
                arn: call.principal.arn, accountId: call.account, userName: call.principal.userName ?? call.account),
            policyUser: call.principal.policyUser,
            sessionPolicy: try sessionPolicy(call, in: tx) ?? #"{"Version":"2012-10-17","Statement":[]}"#)
        var answer = try issue(federated, duration: duration, call: call, in: tx)
        answer["FederatedUser"] = .object(["FederatedUserId": .string(federated.principalId), "Arn": .string(arn)])
        return .structure(answer)
    }
}
