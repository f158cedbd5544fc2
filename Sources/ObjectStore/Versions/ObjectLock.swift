import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Object Lock as S3 keeps it: a bucket created with it (or a versioned bucket it is turned on
/// for) gives each new version the request's or the default retention; a version under
/// retention (`COMPLIANCE`, or `GOVERNANCE` without an authorized bypass) or a legal hold is
/// not deleted, and compliance retention is never shortened.
struct ObjectLock {
    let context: S3Context
    let bucket: BucketRecord
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }

    static let accessDenied = AWSError(
        code: "AccessDenied", message: "Access Denied because object protected by object lock.", httpStatus: 403)
    static let missing = S3Errors.invalidRequest("Bucket is missing Object Lock Configuration")

    var enabled: Bool { bucket.objectLock?[member: "ObjectLockEnabled"]?.stringValue == "Enabled" }

    /// PutObjectLockConfiguration / GetObjectLockConfiguration.
    func configuration() throws -> ShapeValue? {
        if call.operation.name == "GetObjectLockConfiguration" {
            guard let configuration = bucket.objectLock else {
                throw AWSError(
                    code: "ObjectLockConfigurationNotFoundError",
                    message: "Object Lock configuration does not exist for this bucket", httpStatus: 404)
            }
            return .object(["ObjectLockConfiguration": configuration])
        }
        guard let configuration = call[.objectLockConfiguration],
            configuration[member: "ObjectLockEnabled"]?.stringValue == "Enabled"
        else { throw S3Errors.malformedXML }
        guard bucket.versioning == "Enabled" else {
            throw AWSError(
                code: "InvalidBucketState",
                message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
                httpStatus: 409)
        }
        if let retention = configuration[member: "Rule"]?[member: "DefaultRetention"] {
            let days = retention[member: "Days"]?.intValue
            let years = retention[member: "Years"]?.intValue
            guard ["GOVERNANCE", "COMPLIANCE"].contains(retention[member: "Mode"]?.stringValue ?? ""),
                (days == nil) != (years == nil), (days ?? years ?? 0) > 0
            else { throw S3Errors.malformedXML }
        }
        var bucket = bucket
        bucket.objectLock = configuration
        try tx.put(bucket, kind: Kinds.bucket, scope: Kinds.global, id: bucket.name)
        return nil
    }

    /// The retention and legal hold a new version gets: the request's headers, else the
    /// bucket's default rule. Refused in a bucket without Object Lock.
    func apply(to object: inout ObjectRecord) throws {
        let mode = call.string(.objectLockMode)
        let hold = call.string(.objectLockLegalHoldStatus)
        guard enabled else {
            if mode != nil || hold != nil { throw Self.missing }
            return
        }
        if let mode {
            guard case .timestamp(let until)? = call[.objectLockRetainUntilDate], until > call.now,
                ["GOVERNANCE", "COMPLIANCE"].contains(mode)
            else { throw S3Errors.invalidArgument("The retain until date must be in the future") }
            object.lockMode = mode
            object.retainUntil = until
        } else if let retention = bucket.objectLock?[member: "Rule"]?[member: "DefaultRetention"],
            let defaultMode = retention[member: "Mode"]?.stringValue
        {
            let days =
                Double(retention[member: "Days"]?.intValue ?? 0) + Double(retention[member: "Years"]?.intValue ?? 0)
                * 365
            object.lockMode = defaultMode
            object.retainUntil = call.now.addingTimeInterval(days * 86_400)
        }
        if let hold { object.legalHold = hold == "ON" }
    }

    /// Refuses to remove `object` (a version, for good) while the lock holds it.
    func checkDeletable(_ object: ObjectRecord) throws {
        if object.legalHold == true { throw Self.accessDenied }
        guard let until = object.retainUntil, until > call.now else { return }
        try checkBypass(object)
    }

    /// Governance retention yields to `x-amz-bypass-governance-retention` from a caller allowed
    /// s3:BypassGovernanceRetention; compliance retention yields to nobody.
    private func checkBypass(_ object: ObjectRecord) throws {
        guard object.lockMode == "GOVERNANCE", call[.bypassGovernanceRetention]?.boolValue == true
        else { throw Self.accessDenied }
        try context.authorize(bucket: bucket, action: "s3:BypassGovernanceRetention")
    }

    /// Put/GetObjectRetention and Put/GetObjectLegalHold on a version (the current one by default).
    func objectSettings() throws -> ShapeValue? {
        guard enabled else { throw Self.missing }
        let key = try call.required(.key)
        let versions = VersionedObjects(tx: tx, blobs: context.blobs, bucket: bucket)
        let versionId =
            try call.string(.versionId)
            ?? ObjectOperations(context: context, bucket: bucket).stored(key).versionId ?? "null"
        guard var object = try versions.version(key: key, versionId: versionId)?.object else {
            throw S3Errors.noSuchVersion
        }
        switch call.operation.name {
        case "GetObjectRetention":
            guard let mode = object.lockMode, let until = object.retainUntil else {
                throw AWSError(
                    code: "NoSuchObjectLockConfiguration",
                    message: "The specified object does not have a ObjectLock configuration", httpStatus: 404)
            }
            return .object(["Retention": .object(["Mode": .string(mode), "RetainUntilDate": .timestamp(until)])])
        case "GetObjectLegalHold":
            return .object(["LegalHold": .object(["Status": .string(object.legalHold == true ? "ON" : "OFF")])])
        case "PutObjectLegalHold":
            guard let status = call[.legalHold]?[member: "Status"]?.stringValue,
                ["ON", "OFF"].contains(status)
            else { throw S3Errors.malformedXML }
            object.legalHold = status == "ON"
        default:
            let retention = call[.retention]
            let mode = retention?[member: "Mode"]?.stringValue
            var until: Date?
            if case .timestamp(let date)? = retention?[member: "RetainUntilDate"] { until = date }
            if let current = object.retainUntil, current > call.now {
                let weakens =
                    until.map { $0 < current } ?? true || (object.lockMode == "COMPLIANCE" && mode != "COMPLIANCE")
                if weakens { try checkBypass(object) }
            }
            object.lockMode = mode
            object.retainUntil = until
        }
        try versions.replace(object, versionId: versionId)
        return nil
    }
}
