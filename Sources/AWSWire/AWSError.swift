import AWSModels

/// An error as AWS answers it: a code, a message and an HTTP status.
///
/// Each protocol renders it in its own envelope (see ``ErrorEnvelope``).
package struct AWSError: Error, Sendable, Equatable {
    package var code: String
    package var message: String
    package var httpStatus: Int
    package var senderFault: Bool
    /// What the server log (never the wire) adds to explain the refusal: which policy statement
    /// is missing, for instance.
    package var diagnostic: String?

    package init(
        code: String, message: String, httpStatus: Int = 400, senderFault: Bool = true, diagnostic: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.senderFault = senderFault
        self.diagnostic = diagnostic
    }

    /// The error of the model's exception shape `shape`, with its code and status.
    package static func modeled(_ shape: String, in model: ServiceModel, _ message: String) -> AWSError {
        let trait = model.shapes[shape]?.error
        return AWSError(
            code: trait?.code ?? shape, message: message, httpStatus: trait?.httpStatus ?? 400,
            senderFault: trait?.senderFault ?? true)
    }

    package static func missingParameter(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name)")
    }

    package static func invalidParameterValue(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: message)
    }

    package static func validation(_ message: String) -> AWSError {
        AWSError(code: "ValidationError", message: message)
    }

    /// The answer to an action the service does not know or this server does not serve.
    package static func invalidAction(_ action: String) -> AWSError {
        AWSError(code: "InvalidAction", message: "The action \(action) is not valid for this web service.")
    }

    package static func unknownOperation(_ target: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation \(target)")
    }

    package static func accessDenied(_ message: String) -> AWSError {
        AWSError(code: "AccessDenied", message: message, httpStatus: 403)
    }

    /// S3's answer to an operation or subresource it knows but this server does not serve.
    package static let s3NotImplemented = AWSError(
        code: "NotImplemented", message: "A header you provided implies functionality that is not implemented.",
        httpStatus: 501, senderFault: false)

    package static let internalFailure = AWSError(
        code: "InternalFailure",
        message: "The request processing has failed because of an unknown error, exception or failure.",
        httpStatus: 500, senderFault: false)

    package static let serviceUnavailable = AWSError(
        code: "ServiceUnavailable", message: "The request has failed due to a temporary failure of the server.",
        httpStatus: 503, senderFault: false)
}
