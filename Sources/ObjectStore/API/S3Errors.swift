import AWSWire

/// S3's error codes, statuses and messages (its errors are not in the model).
enum S3Errors {
    static func noSuchBucket(_ name: String) -> AWSError {
        AWSError(code: "NoSuchBucket", message: "The specified bucket does not exist", httpStatus: 404)
    }

    static let noSuchVersion = AWSError(
        code: "NoSuchVersion", message: "The specified version does not exist.", httpStatus: 404)
    static let noSuchKey = AWSError(code: "NoSuchKey", message: "The specified key does not exist.", httpStatus: 404)
    static let noSuchUpload = AWSError(
        code: "NoSuchUpload",
        message:
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        httpStatus: 404)
    static let accessDenied = AWSError(code: "AccessDenied", message: "Access Denied", httpStatus: 403)
    static let invalidRange = AWSError(
        code: "InvalidRange", message: "The requested range is not satisfiable", httpStatus: 416)
    static let preconditionFailed = AWSError(
        code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold",
        httpStatus: 412)
    static let notModified = AWSError(code: "NotModified", message: "Not Modified", httpStatus: 304)
    static let bucketNotEmpty = AWSError(
        code: "BucketNotEmpty", message: "The bucket you tried to delete is not empty", httpStatus: 409)
    static let bucketAlreadyOwnedByYou = AWSError(
        code: "BucketAlreadyOwnedByYou",
        message: "Your previous request to create the named bucket succeeded and you already own it.", httpStatus: 409)
    static let bucketAlreadyExists = AWSError(
        code: "BucketAlreadyExists",
        message:
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        httpStatus: 409)
    static let invalidBucketName = AWSError(code: "InvalidBucketName", message: "The specified bucket is not valid.")
    static let noSuchBucketPolicy = AWSError(
        code: "NoSuchBucketPolicy", message: "The bucket policy does not exist", httpStatus: 404)
    static let noSuchTagSet = AWSError(code: "NoSuchTagSet", message: "The TagSet does not exist", httpStatus: 404)
    static let malformedXML = AWSError(
        code: "MalformedXML",
        message: "The XML you provided was not well-formed or did not validate against our published schema")
    static let badDigest = AWSError(
        code: "BadDigest", message: "The Content-MD5 you specified did not match what we received.")
    static let invalidDigest = AWSError(code: "InvalidDigest", message: "The Content-MD5 you specified was invalid.")
    static let invalidPart = AWSError(
        code: "InvalidPart",
        message:
            "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
    )
    static let invalidPartOrder = AWSError(
        code: "InvalidPartOrder",
        message: "The list of parts was not in ascending order. Parts must be ordered by part number.")
    static let entityTooSmall = AWSError(
        code: "EntityTooSmall", message: "Your proposed upload is smaller than the minimum allowed object size.")
    static let contentSHA256Mismatch = AWSError(
        code: "XAmzContentSHA256Mismatch",
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.")

    static func badChecksum(_ algorithm: ChecksumAlgorithm) -> AWSError {
        AWSError(
            code: "BadDigest", message: "The \(algorithm.rawValue) you specified did not match the calculated checksum."
        )
    }

    static func invalidArgument(_ message: String) -> AWSError {
        AWSError(code: "InvalidArgument", message: message)
    }

    static func malformedPolicy(_ message: String) -> AWSError {
        AWSError(code: "MalformedPolicy", message: message)
    }

    static func invalidRequest(_ message: String) -> AWSError {
        AWSError(code: "InvalidRequest", message: message)
    }

    static let aclNotSupported = AWSError(
        code: "AccessControlListNotSupported", message: "The bucket does not allow ACLs")

    static func notImplemented(_ what: String) -> AWSError {
        AWSError(code: "NotImplemented", message: "\(what) is not implemented by this server yet.", httpStatus: 501)
    }
}
