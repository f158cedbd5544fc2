import AWSWire
import IAM
import ServiceContract

/// What a bucket's public access block and object ownership settings refuse, as S3 enforces
/// them: public ACLs and policies, and ACLs at all when the bucket owner is enforced.
struct BucketGuards {
    let bucket: BucketRecord

    /// Canned ACLs that open a bucket or object to everyone or to every AWS account.
    static let publicACLs: Set<String> = ["public-read", "public-read-write", "authenticated-read"]

    private func blocks(_ setting: String) -> Bool {
        bucket.configurations?["publicAccessBlock"]?[member: setting]?.boolValue == true
    }

    /// `BucketOwnerEnforced`: ACLs are disabled; the owner owns every object.
    var aclsDisabled: Bool {
        bucket.configurations?["ownershipControls"]?[member: "Rules"]?.listValue?.first?[member: "ObjectOwnership"]?
            .stringValue == "BucketOwnerEnforced"
    }

    /// Refuses a bucket ACL: any, when ACLs are disabled; a public one, when public ACLs are blocked.
    func checkBucketACL(_ canned: String?) throws {
        guard let canned else { return }
        if aclsDisabled { throw S3Errors.aclNotSupported }
        if blocks("BlockPublicAcls") && Self.publicACLs.contains(canned) { throw S3Errors.accessDenied }
    }

    /// Refuses an object ACL: any but `bucket-owner-full-control` when ACLs are disabled; a
    /// public one when public ACLs are blocked.
    func checkObjectACL(_ canned: String?) throws {
        guard let canned else { return }
        if aclsDisabled && canned != "bucket-owner-full-control" { throw S3Errors.aclNotSupported }
        if blocks("BlockPublicAcls") && Self.publicACLs.contains(canned) { throw S3Errors.accessDenied }
    }

    /// Refuses a public bucket policy when public policies are blocked.
    func checkPolicy(_ document: PolicyDocument) throws {
        if blocks("BlockPublicPolicy") && Self.isPublic(document) { throw S3Errors.accessDenied }
    }

    /// With `RestrictPublicBuckets` and a public policy, only the owner's account and AWS
    /// services reach the bucket.
    func restricts(_ principal: Principal, policy: PolicyDocument?) -> Bool {
        guard blocks("RestrictPublicBuckets"), let policy, Self.isPublic(policy) else { return false }
        return principal.accountId != bucket.owner && principal.kind != .awsService
    }

    /// Whether a policy grants access to everyone: an Allow statement whose principal is `*`
    /// (or `{"AWS": "*"}`) and that no condition narrows.
    static func isPublic(_ document: PolicyDocument) -> Bool {
        document.statements.contains { statement in
            guard statement.effect == .allow, let principal = statement.principal, statement.conditions.isEmpty else {
                return false
            }
            return principal.any || principal.values["AWS"]?.contains("*") == true
        }
    }
}
