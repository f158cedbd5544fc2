import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract

/// Bucket-level operations: create, list, delete, location, policy, ACL, encryption, tagging.
struct BucketOperations {
    let context: S3Context
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    /// 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending with
    /// a letter or digit, no `..`, not an IP address.
    static func isValidName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber, !name.contains(".."),
            name.allSatisfy({ ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "." || $0 == "-" })
        else { return false }
        let parts = name.split(separator: ".")
        return !(parts.count == 4 && parts.allSatisfy { Int($0) != nil })
    }

    func owner() -> ShapeValue {
        .object(["DisplayName": .string(call.account), "ID": .string(Self.canonicalId(call.account))])
    }

    /// A stable 64-hex canonical user id for an account.
    static func canonicalId(_ account: String) -> String {
        String(repeating: account, count: 6).utf8.prefix(64).map { String(format: "%x", $0 % 16) }.joined()
    }

    func create() throws -> ShapeValue {
        let name = try call.required(.bucket)
        guard Self.isValidName(name) else { throw S3Errors.invalidBucketName }
        let constraint = call[.createBucketConfiguration]?[member: "LocationConstraint"]?.stringValue
        if call.region == "us-east-1" {
            if let constraint, constraint != "" {
                throw AWSError(
                    code: "InvalidLocationConstraint", message: "The specified location-constraint is not valid")
            }
        } else if constraint != call.region {
            throw AWSError(
                code: "IllegalLocationConstraintException",
                message: constraint == nil
                    ? "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
                    : "The \(constraint ?? "") location constraint is incompatible for the region specific endpoint this request was sent to."
            )
        }
        if let existing = try tx.get(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global, id: name) {
            // us-east-1 keeps S3's legacy answer: re-creating your own bucket succeeds.
            if existing.owner == call.account && call.region == "us-east-1" && existing.region == "us-east-1" {
                return .object(["Location": .string("/\(name)")])
            }
            throw existing.owner == call.account ? S3Errors.bucketAlreadyOwnedByYou : S3Errors.bucketAlreadyExists
        }
        var bucket = BucketRecord(
            name: name, owner: call.account, region: call.region, created: call.now, policy: nil,
            acl: call.string(.acl) ?? "private", encryption: nil, tags: nil)
        // Created with Object Lock: versioned for good.
        if call[.objectLockEnabledForBucket]?.boolValue == true {
            bucket.versioning = "Enabled"
            bucket.objectLock = .object(["ObjectLockEnabled": .string("Enabled")])
        }
        try tx.put(bucket, kind: Kinds.bucket, scope: Kinds.global, id: name)
        return .object(["Location": .string("/\(name)")])
    }

    func listBuckets() throws -> ShapeValue {
        let buckets = try tx.list(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global)
            .filter { $0.owner == call.account }
        return .object([
            "Buckets": .list(
                buckets.map {
                    .object([
                        "Name": .string($0.name), "CreationDate": .timestamp($0.created),
                        "BucketRegion": .string($0.region),
                    ])
                }),
            "Owner": owner(),
        ])
    }

    func delete(_ bucket: BucketRecord) throws -> ShapeValue? {
        let hasObjects = try !tx.list(ObjectRecord.self, kind: Kinds.object, scope: bucket.name, after: nil, limit: 1)
            .isEmpty
        let hasUploads = try !tx.list(UploadRecord.self, kind: Kinds.upload, scope: bucket.name, after: nil, limit: 1)
            .isEmpty
        let hasVersions = try VersionedObjects(tx: tx, blobs: context.blobs, bucket: bucket).hasVersions()
        if hasObjects || hasUploads || hasVersions { throw S3Errors.bucketNotEmpty }
        try tx.delete(kind: Kinds.bucket, scope: Kinds.global, id: bucket.name)
        return nil
    }

    func save(_ bucket: BucketRecord) throws {
        try tx.put(bucket, kind: Kinds.bucket, scope: Kinds.global, id: bucket.name)
    }

    func policy(_ bucket: BucketRecord) throws -> ShapeValue? {
        var bucket = bucket
        switch call.operation.name {
        case "PutBucketPolicy":
            let text = try call.required(.policy)
            guard text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") else {
                throw S3Errors.malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
            }
            let document: PolicyDocument
            do {
                document = try PolicyDocument.parse(text, use: .resource)
            } catch {
                throw S3Errors.malformedPolicy(error.message)
            }
            try BucketGuards(bucket: bucket).checkPolicy(document)
            bucket.policy = text
            try save(bucket)
            return nil
        case "GetBucketPolicy":
            guard let policy = bucket.policy else { throw S3Errors.noSuchBucketPolicy }
            return .object(["Policy": .string(policy)])
        default:
            bucket.policy = nil
            try save(bucket)
            return nil
        }
    }

    /// PutBucketVersioning turns versioning on or suspends it (never back off, as in S3);
    /// GetBucketVersioning answers nothing for a bucket never versioned.
    func versioning(_ bucket: BucketRecord) throws -> ShapeValue? {
        guard call.operation.name == "PutBucketVersioning" else {
            return .object(["Status": bucket.versioning.map(ShapeValue.string)])
        }
        let configuration = call[.versioningConfiguration]
        if configuration?[member: "MFADelete"]?.stringValue == "Enabled" {
            throw S3Errors.notImplemented("MFA delete")
        }
        guard let status = configuration?[member: "Status"]?.stringValue else { return nil }
        guard ["Enabled", "Suspended"].contains(status) else { throw S3Errors.malformedXML }
        var versions = VersionedObjects(tx: tx, blobs: context.blobs, bucket: bucket)
        try versions.setVersioning(status)
        return nil
    }

    /// Whether the bucket's policy makes it public (``BucketGuards/isPublic(_:)``).
    func policyStatus(_ bucket: BucketRecord) throws -> ShapeValue {
        guard let text = bucket.policy else { throw S3Errors.noSuchBucketPolicy }
        let document = try PolicyDocument.parse(text, use: .resource)
        return .object(["PolicyStatus": .object(["IsPublic": .boolean(BucketGuards.isPublic(document))])])
    }

    func acl(_ bucket: BucketRecord) throws -> ShapeValue? {
        if call.operation.name == "PutBucketAcl" {
            guard let canned = call.string(.acl) else {
                throw S3Errors.notImplemented("PutBucketAcl with an AccessControlPolicy body (only canned ACLs)")
            }
            let allowed = [
                "private", "public-read", "public-read-write", "authenticated-read", "bucket-owner-full-control",
            ]
            guard allowed.contains(canned) else { throw S3Errors.invalidArgument("Invalid canned ACL \(canned)") }
            try BucketGuards(bucket: bucket).checkBucketACL(canned)
            var bucket = bucket
            bucket.acl = canned
            try save(bucket)
            return nil
        }
        func grant(_ grantee: ShapeValue, _ permission: String) -> ShapeValue {
            .object(["Grantee": grantee, "Permission": .string(permission)])
        }
        let ownerGrantee = ShapeValue.object([
            "Type": .string("CanonicalUser"), "ID": .string(Self.canonicalId(bucket.owner)),
            "DisplayName": .string(bucket.owner),
        ])
        var grants = [grant(ownerGrantee, "FULL_CONTROL")]
        let allUsers = ShapeValue.object([
            "Type": .string("Group"), "URI": .string("http://acs.amazonaws.com/groups/global/AllUsers"),
        ])
        if bucket.acl == "public-read" || bucket.acl == "public-read-write" { grants.append(grant(allUsers, "READ")) }
        if bucket.acl == "public-read-write" { grants.append(grant(allUsers, "WRITE")) }
        if bucket.acl == "authenticated-read" {
            grants.append(
                grant(
                    .object([
                        "Type": .string("Group"),
                        "URI": .string("http://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
                    ]), "READ"))
        }
        return .object(["Owner": owner(), "Grants": .list(grants)])
    }

    /// Every bucket encrypts by default (SSE-S3), as S3 does since January 2023.
    static let defaultEncryption = ShapeValue.object([
        "Rules": .list([
            .object([
                "ApplyServerSideEncryptionByDefault": .object(["SSEAlgorithm": .string("AES256")]),
                "BucketKeyEnabled": .boolean(false),
            ])
        ])
    ])

    func encryption(_ bucket: BucketRecord) throws -> ShapeValue? {
        var bucket = bucket
        switch call.operation.name {
        case "PutBucketEncryption":
            guard let configuration = call[.serverSideEncryptionConfiguration],
                let rule = configuration[member: "Rules"]?.listValue?.first,
                let algorithm = rule[member: "ApplyServerSideEncryptionByDefault"]?[member: "SSEAlgorithm"]?
                    .stringValue,
                ["AES256", "aws:kms", "aws:kms:dsse"].contains(algorithm)
            else { throw S3Errors.malformedXML }
            bucket.encryption = configuration
            try save(bucket)
            return nil
        case "GetBucketEncryption":
            return .object(["ServerSideEncryptionConfiguration": bucket.encryption ?? Self.defaultEncryption])
        default:
            bucket.encryption = nil
            try save(bucket)
            return nil
        }
    }

    func lifecycle(_ bucket: BucketRecord) throws -> ShapeValue? {
        var bucket = bucket
        switch call.operation.name {
        case "PutBucketLifecycleConfiguration":
            let rules = call[.lifecycleConfiguration]?[member: "Rules"]
            _ = try LifecycleRule.parse(rules)
            bucket.lifecycleRules = rules
            try save(bucket)
            return nil
        case "GetBucketLifecycleConfiguration":
            guard let rules = bucket.lifecycleRules else {
                throw AWSError(
                    code: "NoSuchLifecycleConfiguration", message: "The lifecycle configuration does not exist",
                    httpStatus: 404)
            }
            return .object(["Rules": rules])
        default:
            bucket.lifecycleRules = nil
            try save(bucket)
            return nil
        }
    }

    func tagging(_ bucket: BucketRecord) throws -> ShapeValue? {
        var bucket = bucket
        switch call.operation.name {
        case "PutBucketTagging":
            var tags: [String: String] = [:]
            for tag in call[.tagging]?[member: "TagSet"]?.listValue ?? [] {
                guard let key = tag[member: "Key"]?.stringValue else { throw S3Errors.malformedXML }
                tags[key] = tag[member: "Value"]?.stringValue ?? ""
            }
            guard tags.count <= 50 else { throw S3Errors.invalidArgument("Object tags cannot be greater than 50") }
            bucket.tags = tags
            try save(bucket)
            return nil
        case "GetBucketTagging":
            guard let tags = bucket.tags else { throw S3Errors.noSuchTagSet }
            return .object([
                "TagSet": .list(
                    tags.sorted { $0.key < $1.key }.map {
                        .object(["Key": .string($0.key), "Value": .string($0.value)])
                    })
            ])
        default:
            bucket.tags = nil
            try save(bucket)
            return nil
        }
    }
}
