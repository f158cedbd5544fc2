import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract

/// S3 (REST-XML, 2006-03-01) on the embedded encrypted store. Authorizes each call itself,
/// because the bucket's policy and owner take part in the decision.
package struct S3Service: ServiceHandler {
    package let model = ServiceModel.s3
    let blobs: EncryptedBlobStore
    /// Where event notifications go (SNS), if anywhere.
    let notifier: BucketNotifier?

    package init(blobs: EncryptedBlobStore, notifier: BucketNotifier? = nil) {
        self.blobs = blobs
        self.notifier = notifier
    }

    package func resource(for call: OperationCall) -> String? { nil }

    /// The account's buckets in `region`, with their tags.
    package func taggedResources(account: String, region: String, in tx: any StateReader) throws -> [TaggedResource] {
        try tx.list(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global)
            .filter { $0.owner == account && $0.region == region }
            .map { TaggedResource(arn: $0.arn, tags: $0.tags ?? [:]) }
    }

    /// Every object file the metadata refers to: objects and the parts of open uploads.
    package static func referencedBlobs(in tx: any StateReader) throws -> Set<String> {
        var files = Set<String>()
        for bucket in try tx.list(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global) {
            for object in try tx.list(ObjectRecord.self, kind: Kinds.object, scope: bucket.name) {
                files.insert(object.blob.file)
            }
            for upload in try tx.list(UploadRecord.self, kind: Kinds.upload, scope: bucket.name) {
                for part in upload.parts.values { files.insert(part.blob.file) }
            }
        }
        return files
    }

    /// Object-level calls are CloudTrail data events: recorded only when a trail asks for them.
    package func isDataEvent(_ operation: OperationModel) -> Bool {
        Self.dataEvents.contains(operation.name)
    }

    package func dataResources(for call: OperationCall) -> [DataResource] {
        guard let bucket = call.string(.bucket) else { return [] }
        var resources: [DataResource] = []
        func object(_ bucket: String, _ key: String) {
            resources.append(DataResource(type: "AWS::S3::Object", arn: call.partition.arn("s3", "\(bucket)/\(key)")))
        }
        if let key = call.string(.key) { object(bucket, key) }
        // DeleteObjects names its objects in the body: the first decides which trails select it.
        for entry in call[.delete]?[member: "Objects"]?.listValue ?? [] {
            if let key = entry[member: "Key"]?.stringValue { object(bucket, key) }
        }
        resources.append(DataResource(type: "AWS::S3::Bucket", arn: call.partition.arn("s3", bucket)))
        // CopyObject reads its source.
        if let source = call.string(.copySource).flatMap(CopySource.init) { object(source.bucket, source.key) }
        return resources
    }

    static let dataEvents: Set<String> = [
        "PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject", "ListObjects",
        "ListObjectsV2", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload",
        "ListParts", "ListMultipartUploads", "RestoreObject", "PutObjectRetention", "GetObjectRetention",
        "PutObjectLegalHold", "GetObjectLegalHold",
    ]

    /// The IAM action each operation needs, where it is not `s3:<Operation>`.
    static let actions: [String: String] = [
        "HeadObject": "s3:GetObject", "HeadBucket": "s3:ListBucket", "ListObjects": "s3:ListBucket",
        "ListObjectsV2": "s3:ListBucket", "ListBuckets": "s3:ListAllMyBuckets", "DeleteObjects": "s3:DeleteObject",
        "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject",
        "CompleteMultipartUpload": "s3:PutObject",
        "ListParts": "s3:ListMultipartUploadParts", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
        "PutBucketEncryption": "s3:PutEncryptionConfiguration", "GetBucketEncryption": "s3:GetEncryptionConfiguration",
        "DeleteBucketEncryption": "s3:PutEncryptionConfiguration", "DeleteBucketTagging": "s3:PutBucketTagging",
        "CopyObject": "s3:PutObject", "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
        "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
        "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
        "PutBucketCors": "s3:PutBucketCORS", "GetBucketCors": "s3:GetBucketCORS",
        "DeleteBucketCors": "s3:PutBucketCORS",
        "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
        "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
        "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
        "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock", "ListObjectVersions": "s3:ListBucketVersions",
        "PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
        "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
        "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
        "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    ]

    /// CloudTrail's event names where they are not the API's (the S3 user guide's list of
    /// bucket-level actions tracked by CloudTrail).
    static let eventNames: [String: String] = [
        "PutBucketLifecycleConfiguration": "PutBucketLifecycle",
        "GetBucketLifecycleConfiguration": "GetBucketLifecycle",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "ListObjectsV2": "ListObjects",
    ]

    package func eventName(for operation: String) -> String {
        Self.eventNames[operation] ?? operation
    }

    /// PutObject and UploadPart: the body is checked, hashed, encrypted and fsynced before the
    /// transaction, which then only commits the record naming it.
    package func stage(_ call: OperationCall) -> (any Sendable)? {
        guard ["PutObject", "UploadPart"].contains(call.operation.name) else { return nil }
        return StagedBody.stage(call, blobs: blobs)
    }

    package func unstage(_ staged: any Sendable, committed: Bool) {
        if !committed, let body = staged as? StagedBody { blobs.delete(body.blob) }
    }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        let context = S3Context(call: call, tx: tx, blobs: blobs)
        switch call.operation.name {
        case "ListBuckets":
            try context.authorize(bucket: nil)
            return try BucketOperations(context: context).listBuckets()
        case "CreateBucket":
            try context.authorize(bucket: nil, resource: call.partition.arn("s3", call.string(.bucket) ?? ""))
            return try BucketOperations(context: context).create()
        default:
            break
        }
        let bucket = try context.bucket()
        try context.authorize(bucket: bucket)
        if ["PutObject", "CopyObject", "CreateMultipartUpload"].contains(call.operation.name) {
            try BucketGuards(bucket: bucket).checkObjectACL(call.string(.acl))
        }
        let buckets = BucketOperations(context: context)
        let objects = ObjectOperations(context: context, bucket: bucket)
        let output = try { () throws -> ShapeValue? in
            switch call.operation.name {
            case "HeadBucket": return .object(["BucketRegion": .string(bucket.region)])
            case "DeleteBucket": return try buckets.delete(bucket)
            case "GetBucketLocation":
                return .object(["LocationConstraint": bucket.region == "us-east-1" ? nil : .string(bucket.region)])
            case "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy": return try buckets.policy(bucket)
            case "GetBucketAcl", "PutBucketAcl": return try buckets.acl(bucket)
            case "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption":
                return try buckets.encryption(bucket)
            case "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging": return try buckets.tagging(bucket)
            case "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle":
                return try buckets.lifecycle(bucket)
            case "PutObject": return try objects.put()
            case "GetObject", "HeadObject": return try objects.get(head: call.operation.name == "HeadObject")
            case "DeleteObject": return try objects.delete()
            case "DeleteObjects": return try objects.deleteMany()
            case "CopyObject": return try objects.copy()
            case "ListObjects", "ListObjectsV2": return try ObjectListing(context: context, bucket: bucket).list()
            case "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
                "ListMultipartUploads":
                return try MultipartOperations(objects: objects).handle()
            case "RestoreObject": return try objects.restore()
            case "GetBucketPolicyStatus": return try buckets.policyStatus(bucket)
            case "PutBucketVersioning", "GetBucketVersioning": return try buckets.versioning(bucket)
            case "ListObjectVersions": return try VersionListing(context: context, bucket: bucket).list()
            case "PutObjectLockConfiguration", "GetObjectLockConfiguration":
                return try ObjectLock(context: context, bucket: bucket).configuration()
            case "PutObjectRetention", "GetObjectRetention", "PutObjectLegalHold", "GetObjectLegalHold":
                return try ObjectLock(context: context, bucket: bucket).objectSettings()
            case let name where BucketConfiguration.byOperation[name] != nil:
                guard let configuration = BucketConfiguration.byOperation[name] else { return nil }
                return try buckets.configuration(configuration, bucket)
            case "PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration":
                return try BucketNotifications(context: context, bucket: bucket, notifier: notifier).configuration()
            default:
                throw S3Errors.notImplemented(call.operation.name)
            }
        }()
        try announce(call, output: output, bucket: bucket, context: context)
        return output
    }

    /// Event notifications for objects the call created or removed.
    private func announce(_ call: OperationCall, output: ShapeValue?, bucket: BucketRecord, context: S3Context)
        throws
    {
        guard notifier != nil, let key = call.string(.key) ?? (call.operation.name == "DeleteObjects" ? "" : nil)
        else {
            return
        }
        let notifications = BucketNotifications(context: context, bucket: bucket, notifier: notifier)
        func current(_ key: String) throws -> ObjectRecord? {
            try context.tx.get(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, id: key)
        }
        func removed(_ key: String, _ fields: ShapeValue?, markerVersion: String?) throws {
            let marker = fields?[member: "DeleteMarker"]?.boolValue == true && markerVersion != nil
            try notifications.announce(
                marker ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete", key: key, object: nil,
                versionId: marker ? markerVersion : fields?[member: "VersionId"]?.stringValue)
        }
        let created = [
            "PutObject": "ObjectCreated:Put", "CopyObject": "ObjectCreated:Copy",
            "CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
        ]
        if let event = created[call.operation.name] {
            let object = try current(key)
            try notifications.announce(event, key: key, object: object, versionId: object?.versionId)
        } else if call.operation.name == "DeleteObject" {
            let markerVersion = call.string(.versionId) == nil ? output?[member: "VersionId"]?.stringValue : nil
            try removed(key, output, markerVersion: markerVersion)
        } else if call.operation.name == "DeleteObjects" {
            for entry in output?[member: "Deleted"]?.listValue ?? [] {
                guard let deleted = entry[member: "Key"]?.stringValue else { continue }
                try removed(deleted, entry, markerVersion: entry[member: "DeleteMarkerVersionId"]?.stringValue)
            }
        }
    }
}

/// What every S3 operation needs: the call, its transaction, the blob store.
struct S3Context {
    let call: OperationCall
    let tx: any StateWriter
    let blobs: EncryptedBlobStore

    func bucket(_ name: String? = nil) throws -> BucketRecord {
        let bucketName = try name ?? call.required(.bucket)
        guard let bucket = try tx.get(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global, id: bucketName) else {
            throw S3Errors.noSuchBucket(bucketName)
        }
        return bucket
    }

    /// Checks the caller's identity policies and the bucket's policy; S3 says only "Access Denied".
    func authorize(bucket: BucketRecord?, resource: String? = nil, action: String? = nil) throws {
        let name = call.operation.name
        let wanted = action ?? S3Service.actions[name] ?? "s3:\(name)"
        var target = resource ?? "*"
        if let bucket, resource == nil {
            target = bucket.arn + (call.string(.key).map { "/\($0)" } ?? "")
        }
        var context = call.globalConditionKeys
        if let acl = call.string(.acl) { context["s3:x-amz-acl"] = [acl] }
        let request = AccessRequest(action: wanted, resource: target, principal: call.principal, context: context)
        let document = try bucket?.policy.map { try PolicyDocument.parse($0, use: .resource) }
        if let bucket, BucketGuards(bucket: bucket).restricts(call.principal, policy: document) {
            throw S3Errors.accessDenied
        }
        let policy = bucket.map { bucket in
            Authorizer.ResourcePolicy(
                document: document ?? PolicyDocument(version: nil, statements: []), ownerAccount: bucket.owner)
        }
        do {
            try Authorizer().authorize(request, resourcePolicy: policy, in: tx)
        } catch is AWSError {
            throw S3Errors.accessDenied
        }
    }
}
