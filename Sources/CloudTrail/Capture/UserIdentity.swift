import AWSWire
import ServiceContract
import Synchronization

/// The `userIdentity` element as CloudTrail writes it for each principal type.
enum UserIdentity {
    /// How the owner's copy of a cross-account event names the caller: its account only.
    static func crossAccount(_ principal: Principal) -> String {
        var identity = OrderedJSON()
        identity.add("type", "AWSAccount")
        identity.add("principalId", principal.principalId)
        identity.add("accountId", principal.accountId)
        return identity.text
    }

    /// `principal`'s element, rendered once per identity: a client's calls share it (~1 % of a
    /// captured Describe's CPU). Kept by access key (or ARN) and used while the principal is
    /// equal to the one it was rendered from.
    static func render(_ principal: Principal) -> String {
        let key = principal.accessKeyId ?? principal.arn
        // Compared where it is kept: copying the kept principal out cost ~550 instructions a call.
        let kept = rendered.withLock { rendered -> String? in
            guard let kept = rendered[key], kept.principal == principal else { return nil }
            return kept.text
        }
        if let kept { return kept }
        let text = renderAnew(principal)
        rendered.withLock { rendered in
            if rendered.count >= renderedKept { rendered.removeAll(keepingCapacity: true) }
            rendered[key] = (principal, text)
        }
        return text
    }

    private static let rendered = Mutex<[String: (principal: Principal, text: String)]>([:])
    /// Identities kept at most (a full set starts over).
    private static let renderedKept = 1_024

    private static func renderAnew(_ principal: Principal) -> String {
        var identity = OrderedJSON()
        identity.add("type", principal.kind.rawValue)
        if principal.kind == .awsService {
            identity.add("invokedBy", principal.invokedBy ?? principal.arn)
            return identity.text
        }
        if principal.kind == .anonymous {
            // CloudTrail's form for unsigned requests.
            identity.add("principalId", "")
            identity.add("accountId", "anonymous")
            return identity.text
        }
        identity.add("principalId", principal.principalId)
        identity.add("arn", principal.arn)
        identity.add("accountId", principal.accountId)
        if let key = principal.accessKeyId { identity.add("accessKeyId", key) }
        if let name = principal.userName, principal.kind == .iamUser { identity.add("userName", name) }
        if principal.isSession {
            var context = OrderedJSON()
            if let issuer = principal.sessionIssuer {
                var issuerJSON = OrderedJSON()
                issuerJSON.add("type", issuer.type)
                issuerJSON.add("principalId", issuer.principalId)
                issuerJSON.add("arn", issuer.arn)
                issuerJSON.add("accountId", issuer.accountId)
                issuerJSON.add("userName", issuer.userName)
                context.addRaw("sessionIssuer", issuerJSON.text)
                // Empty unless the session came from a web identity (not served here), as AWS writes it.
                context.addRaw("webIdFederationData", "{}")
            } else if principal.consoleSession == true {
                // A root or IAM user console session: no issuer, both elements empty.
                context.addRaw("sessionIssuer", "{}")
                context.addRaw("webIdFederationData", "{}")
            }
            var attributes = OrderedJSON()
            if let created = principal.sessionCreationDate {
                attributes.add("creationDate", iso8601: created)
            }
            attributes.add("mfaAuthenticated", "false")
            context.addRaw("attributes", attributes.text)
            identity.addRaw("sessionContext", context.text)
        }
        return identity.text
    }

    /// The name event history's `Username` attribute matches: the user, the role session, the
    /// federated name, or `root`.
    static func username(_ principal: Principal) -> String? {
        switch principal.kind {
        case .root: "root"
        case .iamUser: principal.userName
        case .assumedRole, .federatedUser: principal.arn.split(separator: "/").last.map(String.init)
        case .awsService: principal.invokedBy
        case .anonymous: nil
        }
    }
}
