import AWSModels

/// An error as AWS answers it: a code, a message and an HTTP status.
///
/// Each protocol renders it in its own envelope (see ``ErrorEnvelope``).
public struct AWSError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var senderFault: Bool
    /// What the server log (never the wire) adds to explain the refusal: which policy statement
    /// is missing, for instance.
    public var diagnostic: String?

    public init(
        code: String, message: String, httpStatus: Int = 400, senderFault: Bool = true, diagnostic: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.senderFault = senderFault
        self.diagnostic = diagnostic
    }

    /// The error of the model's exception shape `shape`, with its code and status.
    public static func modeled(_ shape: String, in model: ServiceModel, _ message: String) -> AWSError {
        let trait = model.shapes[shape]?.error
        return AWSError(
            code: trait?.code ?? shape, message: message, httpStatus: trait?.httpStatus ?? 400,
            senderFault: trait?.senderFault ?? true)
    }

    public static func missingParameter(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name)")
    }

    public static func invalidParameterValue(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: message)
    }

    public static func validation(_ message: String) -> AWSError {
        AWSError(code: "ValidationError", message: message)
    }

    /// The answer to an action the service does not know or this server does not serve.
    public static func invalidAction(_ action: String) -> AWSError {
        AWSError(code: "InvalidAction", message: "The action \(action) is not valid for this web service.")
    }

    public static func unknownOperation(_ target: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation \(target)")
    }

    public static func accessDenied(_ message: String) -> AWSError {
        AWSError(code: "AccessDenied", message: message, httpStatus: 403)
    }

    /// S3's answer to an operation or subresource it knows but this server does not serve.
    public static let s3NotImplemented = AWSError(
        code: "NotImplemented", message: "A header you provided implies functionality that is not implemented.",
        httpStatus: 501, senderFault: false)

    public static let internalFailure = AWSError(
        code: "InternalFailure",
        message: "The request processing has failed because of an unknown error, exception or failure.",
        httpStatus: 500, senderFault: false)

    public static let serviceUnavailable = AWSError(
        code: "ServiceUnavailable", message: "The request has failed due to a temporary failure of the server.",
        httpStatus: 503, senderFault: false)
}
