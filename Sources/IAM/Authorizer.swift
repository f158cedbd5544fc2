import AWSWire
import Persistence
import ServiceContract

/// Decides whether a principal may perform an action: identity policies, session policies and
/// (when the resource has one) the resource policy, as IAM combines them.
package struct Authorizer: Sendable {
    package init() {}

    /// A resource policy and the account that owns the resource.
    package struct ResourcePolicy: Sendable {
        package var document: PolicyDocument
        package var ownerAccount: String

        package init(document: PolicyDocument, ownerAccount: String) {
            self.document = document
            self.ownerAccount = ownerAccount
        }
    }

    /// What decides for a user's or role's calls, read and parsed once per call however many
    /// resources it names: its identity policies, the limits on them (permissions boundary,
    /// session policy), its tags (`aws:PrincipalTag/…`).
    package struct Identity: Sendable {
        var policies: [PolicyDocument]
        var limits: [(Limit, PolicyDocument?)]
        var tags: [String: [String]]
    }

    /// The identity of `principal`, nil when identity policies do not decide for it (root,
    /// services, anonymous callers).
    package func identity(of principal: Principal, in reader: any StateReader) throws -> Identity? {
        guard Self.evaluatesIdentityPolicies(of: principal) else { return nil }
        let policies = try IdentityStore.identityPolicies(for: principal, in: reader).compactMap {
            try? PolicyDocument.parse($0, use: .identity)
        }
        let limits: [(Limit, String?)] = [
            (.boundary, try IdentityStore.boundary(for: principal, in: reader)), (.session, principal.sessionPolicy),
        ]
        return Identity(
            policies: policies,
            // A limit that does not parse allows nothing.
            limits: limits.compactMap { limit, text in
                text.map { (limit, try? PolicyDocument.parse($0, use: .identity)) }
            },
            tags: try IdentityStore.principalTags(of: principal, in: reader))
    }

    /// Throws `AccessDenied`, worded as AWS words it, unless the request is allowed.
    /// - Parameter identity: the caller's ``identity(of:in:)`` when the caller already read it.
    package func authorize(
        _ request: AccessRequest, resourcePolicy: ResourcePolicy? = nil, identity known: Identity? = nil,
        in reader: any StateReader
    ) throws {
        let principal = request.principal
        var request = request
        let loaded = try known ?? identity(of: principal, in: reader)
        // aws:PrincipalTag/… are the calling user's or role's own tags.
        for (key, values) in loaded?.tags ?? [:] { request.context[key.lowercased()] = values }
        let (identity, limit) = identityDecision(request, loaded)
        let resource = resourcePolicy.map { PolicyEvaluator.evaluate([$0.document], request, checkPrincipal: true) }
        if identity == .explicitDeny {
            throw denied(request, "with an explicit deny in \(limit?.article ?? "an identity-based policy")")
        }
        if resource == .explicitDeny { throw denied(request, "with an explicit deny in a resource-based policy") }
        // A service principal has no identity policies: the resource policy alone decides.
        if principal.kind == .awsService {
            if resource == .allow { return }
            throw denied(request, "because no resource-based policy allows the \(request.action) action")
        }
        // A boundary or session policy that does not allow the action denies it, whatever the
        // resource policy says (AWS's evaluation logic for identities in the same account).
        if let limit, identity != .allow {
            throw denied(request, "because no \(limit.name) allows the \(request.action) action")
        }
        let sameAccount = resourcePolicy.map { $0.ownerAccount == principal.accountId } ?? true
        if sameAccount {
            if identity == .allow || resource == .allow { return }
        } else if identity == .allow && resource == .allow {
            return
        }
        if resourcePolicy != nil && identity == .allow {
            throw denied(request, "because no resource-based policy allows the \(request.action) action")
        }
        throw denied(request, "because no identity-based policy allows the \(request.action) action")
    }

    /// Whether identity policies decide for `principal` (root is allowed without them, services
    /// and anonymous callers have none): only then are condition keys worth gathering.
    package static func evaluatesIdentityPolicies(of principal: Principal) -> Bool {
        switch principal.kind {
        case .iamUser, .assumedRole, .federatedUser: true
        case .root, .awsService, .anonymous: false
        }
    }

    /// A policy type that limits what identity policies allow.
    enum Limit: String {
        case boundary = "permissions boundary"
        case session = "session policy"

        var name: String { rawValue }
        /// As AWS's messages name it after "an explicit deny in".
        var article: String { "a \(rawValue)" }
    }

    /// The identity side alone: root is allowed; services have no identity policies. With the
    /// decision, the limiting policy (a permissions boundary, a session policy) that denied or
    /// did not allow, when one did.
    func identityDecision(_ request: AccessRequest, _ identity: Identity?) -> (PolicyDecision, Limit?) {
        switch request.principal.kind {
        case .root:
            return (.allow, nil)
        case .awsService, .anonymous:
            return (.implicitDeny, nil)
        case .iamUser, .assumedRole, .federatedUser:
            guard let identity else { return (.implicitDeny, nil) }
            let decision = PolicyEvaluator.evaluate(identity.policies, request, checkPrincipal: false)
            if decision == .explicitDeny { return (.explicitDeny, nil) }
            for (limit, document) in identity.limits {
                switch PolicyEvaluator.evaluate(document.map { [$0] } ?? [], request, checkPrincipal: false) {
                case .explicitDeny: return (.explicitDeny, limit)
                case .implicitDeny: return (decision == .allow ? .implicitDeny : decision, limit)
                case .allow: continue
                }
            }
            return (decision, nil)
        }
    }

    package func denied(_ request: AccessRequest, _ reason: String) -> AWSError {
        .accessDenied(
            "User: \(request.principal.arn) is not authorized to perform: \(request.action) on resource: \(request.resource) \(reason)"
        )
    }
}
