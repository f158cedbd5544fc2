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

    /// Throws `AccessDenied`, worded as AWS words it, unless the request is allowed.
    package func authorize(
        _ request: AccessRequest, resourcePolicy: ResourcePolicy? = nil, in reader: any StateReader
    ) throws {
        let principal = request.principal
        let identity = try identityDecision(request, in: reader)
        let resource = resourcePolicy.map { PolicyEvaluator.evaluate([$0.document], request, checkPrincipal: true) }
        if identity == .explicitDeny { throw denied(request, "with an explicit deny in an identity-based policy") }
        if resource == .explicitDeny { throw denied(request, "with an explicit deny in a resource-based policy") }
        // A service principal has no identity policies: the resource policy alone decides.
        if principal.kind == .awsService {
            if resource == .allow { return }
            throw denied(request, "because no resource-based policy allows the \(request.action) action")
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

    /// The identity side alone: root is allowed; services have no identity policies.
    func identityDecision(_ request: AccessRequest, in reader: any StateReader) throws -> PolicyDecision {
        let principal = request.principal
        switch principal.kind {
        case .root:
            return .allow
        case .awsService, .anonymous:
            return .implicitDeny
        case .iamUser, .assumedRole, .federatedUser:
            let documents = try IdentityStore.identityPolicies(for: principal, in: reader).compactMap {
                try? PolicyDocument.parse($0, use: .identity)
            }
            var decision = PolicyEvaluator.evaluate(documents, request, checkPrincipal: false)
            if decision != .explicitDeny, let sessionText = principal.sessionPolicy {
                let session = (try? PolicyDocument.parse(sessionText, use: .identity)).map { [$0] } ?? []
                let sessionDecision = PolicyEvaluator.evaluate(session, request, checkPrincipal: false)
                if sessionDecision == .explicitDeny { return .explicitDeny }
                if sessionDecision != .allow { decision = .implicitDeny }
            }
            return decision
        }
    }

    package func denied(_ request: AccessRequest, _ reason: String) -> AWSError {
        .accessDenied(
            "User: \(request.principal.arn) is not authorized to perform: \(request.action) on resource: \(request.resource) \(reason)"
        )
    }
}
