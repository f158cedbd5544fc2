import AWSWire
import ServiceContract

/// The `userIdentity` element as CloudTrail writes it for each principal type.
enum UserIdentity {
    /// How the owner's copy of a cross-account event names the caller: its account only.
    static func crossAccount(_ principal: Principal) -> String {
        var identity = OrderedJSON()
        identity.add("type", .string("AWSAccount"))
        identity.add("principalId", .string(principal.principalId))
        identity.add("accountId", .string(principal.accountId))
        return identity.text
    }

    static func render(_ principal: Principal) -> String {
        var identity = OrderedJSON()
        identity.add("type", .string(principal.kind.rawValue))
        if principal.kind == .awsService {
            identity.add("invokedBy", .string(principal.invokedBy ?? principal.arn))
            return identity.text
        }
        if principal.kind == .anonymous {
            // CloudTrail's form for unsigned requests.
            identity.add("principalId", .string(""))
            identity.add("accountId", .string("anonymous"))
            return identity.text
        }
        identity.add("principalId", .string(principal.principalId))
        identity.add("arn", .string(principal.arn))
        identity.add("accountId", .string(principal.accountId))
        if let key = principal.accessKeyId { identity.add("accessKeyId", .string(key)) }
        if let name = principal.userName, principal.kind == .iamUser { identity.add("userName", .string(name)) }
        if principal.isSession {
            var context = OrderedJSON()
            if let issuer = principal.sessionIssuer {
                var issuerJSON = OrderedJSON()
                issuerJSON.add("type", .string(issuer.type))
                issuerJSON.add("principalId", .string(issuer.principalId))
                issuerJSON.add("arn", .string(issuer.arn))
                issuerJSON.add("accountId", .string(issuer.accountId))
                issuerJSON.add("userName", .string(issuer.userName))
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
                attributes.add("creationDate", .string(Timestamps.iso8601(created)))
            }
            attributes.add("mfaAuthenticated", .string("false"))
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
