import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract

/// How AWS services (CloudTrail) write into buckets: as their service principal, on behalf of
/// a resource (`aws:SourceArn`, `aws:SourceAccount`), with `bucket-owner-full-control`; the
/// bucket's policy decides.
package struct ServiceDelivery: Sendable {
    package let service: String
    package let blobs: EncryptedBlobStore

    package init(service: String, blobs: EncryptedBlobStore) {
        self.service = service
        self.blobs = blobs
    }

    func request(_ action: String, resource: String, account: String, sourceArn: String) -> AccessRequest {
        AccessRequest(
            action: action, resource: resource, principal: .service(service, account: account),
            context: [
                "aws:SourceArn": [sourceArn], "aws:SourceAccount": [account],
                "s3:x-amz-acl": ["bucket-owner-full-control"],
            ])
    }

    func allowed(_ request: AccessRequest, bucket: BucketRecord, in tx: any StateReader) -> Bool {
        guard let text = bucket.policy, let policy = try? PolicyDocument.parse(text, use: .resource) else {
            return false
        }
        do {
            try Authorizer().authorize(
                request, resourcePolicy: Authorizer.ResourcePolicy(document: policy, ownerAccount: bucket.owner), in: tx
            )
            return true
        } catch {
            return false
        }
    }

    /// Whether the embedded store holds the bucket `name`.
    package func holds(bucket name: String, in tx: any StateReader) throws -> Bool {
        try tx.get(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global, id: name) != nil
    }

    /// Whether the bucket lets the service read its ACL and write `objectPrefix*` for `sourceArn`.
    package func check(
        bucket name: String, objectPrefix: String, account: String, sourceArn: String, in tx: any StateReader
    )
        throws -> BucketAccess
    {
        guard let bucket = try tx.get(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global, id: name) else {
            return .noSuchBucket
        }
        let aclRequest = request(
            "s3:GetBucketAcl", resource: bucket.arn, account: account, sourceArn: sourceArn)
        let putRequest = request(
            "s3:PutObject", resource: "\(bucket.arn)/\(objectPrefix)example.json.gz", account: account,
            sourceArn: sourceArn)
        guard bucket.policy != nil else { return .denied("the bucket has no policy") }
        for request in [aclRequest, putRequest] where !allowed(request, bucket: bucket, in: tx) {
            let acl = request.action == "s3:PutObject" ? " with s3:x-amz-acl bucket-owner-full-control" : ""
            return .denied(
                "no statement allows \(service) \(request.action) on \(request.resource)\(acl) "
                    + "(aws:SourceArn \(sourceArn), aws:SourceAccount \(account))")
        }
        return .allowed
    }

    /// Writes one object as the service; throws NoSuchBucket or AccessDenied as S3 would.
    /// Returns the bucket written to (its owner and region name the write's data event).
    @discardableResult
    package func put(
        bucket name: String, key: String, bytes: [UInt8], contentType: String, contentEncoding: String?,
        account: String, sourceArn: String, kmsKeyId: String?, metadata: [String: String] = [:], now: Date,
        in tx: any StateWriter
    ) throws -> BucketRecord {
        guard let bucket = try tx.get(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global, id: name) else {
            throw S3Errors.noSuchBucket(name)
        }
        let putRequest = request(
            "s3:PutObject", resource: "\(bucket.arn)/\(key)", account: account, sourceArn: sourceArn)
        guard allowed(putRequest, bucket: bucket, in: tx) else { throw S3Errors.accessDenied }
        let defaultRule = (bucket.encryption ?? BucketOperations.defaultEncryption)[member: "Rules"]?.listValue?.first?[
            member: "ApplyServerSideEncryptionByDefault"]
        let algorithm = kmsKeyId != nil ? "aws:kms" : defaultRule?[member: "SSEAlgorithm"]?.stringValue ?? "AES256"
        let keyId = kmsKeyId ?? defaultRule?[member: "KMSMasterKeyID"]?.stringValue
        var headers: [String: String] = [:]
        if let contentEncoding { headers["ContentEncoding"] = contentEncoding }
        let object = ObjectRecord(
            key: key, blob: try blobs.write(bytes, for: tx), etag: "\"\(ChecksumAlgorithm.md5Hex(bytes))\"",
            lastModified: now,
            contentType: contentType, metadata: metadata, headers: headers, checksums: [:], storageClass: "STANDARD",
            serverSideEncryption: algorithm, kmsKeyId: algorithm.hasPrefix("aws:kms") ? keyId : nil, partsCount: nil)
        var versions = VersionedObjects(tx: tx, blobs: blobs, bucket: bucket)
        _ = try versions.put(object)
        return bucket
    }
}
