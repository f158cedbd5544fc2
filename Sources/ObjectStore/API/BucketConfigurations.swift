import AWSModels
import AWSWire
import ServiceContract

/// A bucket subresource whose configuration the bucket keeps as sent: put, get and (for most)
/// delete. Get answers in the output shape of the model: the configuration's own members, or
/// the configuration under the output's payload member.
struct BucketConfiguration: Sendable {
    /// The key in ``BucketRecord/configurations``.
    let name: String
    let put: String
    let get: String
    let delete: String?
    /// The Put input member that carries the configuration.
    let member: String
    /// Get's answer when nothing was put; nil answers an empty configuration.
    let missing: AWSError?

    static let all: [BucketConfiguration] = [
        BucketConfiguration(
            name: "cors", put: "PutBucketCors", get: "GetBucketCors", delete: "DeleteBucketCors",
            member: "CORSConfiguration",
            missing: AWSError(
                code: "NoSuchCORSConfiguration", message: "The CORS configuration does not exist", httpStatus: 404)),
        BucketConfiguration(
            name: "website", put: "PutBucketWebsite", get: "GetBucketWebsite", delete: "DeleteBucketWebsite",
            member: "WebsiteConfiguration",
            missing: AWSError(
                code: "NoSuchWebsiteConfiguration",
                message: "The specified bucket does not have a website configuration", httpStatus: 404)),
        BucketConfiguration(
            name: "logging", put: "PutBucketLogging", get: "GetBucketLogging", delete: nil,
            member: "BucketLoggingStatus", missing: nil),
        BucketConfiguration(
            name: "ownershipControls", put: "PutBucketOwnershipControls", get: "GetBucketOwnershipControls",
            delete: "DeleteBucketOwnershipControls", member: "OwnershipControls",
            missing: AWSError(
                code: "OwnershipControlsNotFoundError", message: "The bucket ownership controls were not found",
                httpStatus: 404)),
        BucketConfiguration(
            name: "publicAccessBlock", put: "PutPublicAccessBlock", get: "GetPublicAccessBlock",
            delete: "DeletePublicAccessBlock", member: "PublicAccessBlockConfiguration",
            missing: AWSError(
                code: "NoSuchPublicAccessBlockConfiguration",
                message: "The public access block configuration was not found", httpStatus: 404)),
    ]

    /// The configuration an operation puts, gets or deletes.
    static let byOperation: [String: BucketConfiguration] = {
        var table: [String: BucketConfiguration] = [:]
        for configuration in all {
            table[configuration.put] = configuration
            table[configuration.get] = configuration
            if let delete = configuration.delete { table[delete] = configuration }
        }
        return table
    }()
}

extension BucketOperations {
    /// Puts, gets or deletes the configuration `configuration` of `bucket`.
    func configuration(_ configuration: BucketConfiguration, _ bucket: BucketRecord) throws -> ShapeValue? {
        var bucket = bucket
        var stored = bucket.configurations ?? [:]
        switch call.operation.name {
        case configuration.put:
            guard let value = call.input[member: configuration.member] else { throw S3Errors.malformedXML }
            try validate(configuration, value, bucket: bucket)
            stored[configuration.name] = value
        case configuration.get:
            guard let value = stored[configuration.name] else {
                if let missing = configuration.missing { throw missing }
                return .structure([:])
            }
            let output = call.operation.output.map { context.call.model.shape($0) }
            if let payload = output?.payload { return .structure([payload: value]) }
            return value
        default:
            stored[configuration.name] = nil
        }
        bucket.configurations = stored.isEmpty ? nil : stored
        try save(bucket)
        return nil
    }

    /// What S3 refuses in a configuration before storing it.
    private func validate(_ configuration: BucketConfiguration, _ value: ShapeValue, bucket: BucketRecord) throws {
        switch configuration.name {
        case "cors":
            let rules = value[member: "CORSRules"]?.listValue ?? []
            guard !rules.isEmpty, rules.count <= 100 else { throw S3Errors.malformedXML }
            let methods: Set<String> = ["GET", "PUT", "HEAD", "POST", "DELETE"]
            for rule in rules {
                let allowed = rule[member: "AllowedMethods"]?.listValue?.compactMap(\.stringValue) ?? []
                guard !allowed.isEmpty, rule[member: "AllowedOrigins"]?.listValue?.isEmpty == false else {
                    throw S3Errors.malformedXML
                }
                if let bad = allowed.first(where: { !methods.contains($0) }) {
                    throw S3Errors.invalidRequest(
                        "Found unsupported HTTP method in CORS config. Unsupported method is \(bad)")
                }
            }
        case "ownershipControls":
            let rules = value[member: "Rules"]?.listValue ?? []
            let settings: Set<String> = ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"]
            guard rules.count == 1, let setting = rules[0][member: "ObjectOwnership"]?.stringValue,
                settings.contains(setting)
            else { throw S3Errors.malformedXML }
            if setting == "BucketOwnerEnforced", !Self.ownerOnly.contains(bucket.acl) {
                throw AWSError(
                    code: "InvalidBucketAclWithObjectOwnership",
                    message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
            }
        case "logging":
            if let target = value[member: "LoggingEnabled"]?[member: "TargetBucket"]?.stringValue {
                let targetBucket = try? context.bucket(target)
                guard targetBucket?.owner == bucket.owner else {
                    throw AWSError(
                        code: "InvalidTargetBucketForLogging",
                        message: "The owner for the bucket to be logged and the target bucket must be the same.")
                }
            }
        case "website":
            let hasIndex = value[member: "IndexDocument"]?[member: "Suffix"]?.stringValue?.isEmpty == false
            let redirects = value[member: "RedirectAllRequestsTo"]?[member: "HostName"] != nil
            guard hasIndex || redirects else {
                throw AWSError(
                    code: "InvalidArgument",
                    message: "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
            }
        default:
            break
        }
    }

    /// Canned ACLs that grant nothing beyond the bucket owner.
    static let ownerOnly: Set<String> = ["private", "bucket-owner-full-control"]
}
