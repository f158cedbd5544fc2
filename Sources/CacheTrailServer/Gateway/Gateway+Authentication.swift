import AWSWire
import Foundation
import IAM
import Logging
import Notifications
import SigV4

extension Gateway {
    struct Authenticated {
        var principal: Principal
        var region: String
        /// The SigV4 signing name of the credential scope (`sts`, `elasticache`, …).
        var service: String
    }

    /// Verifies the request's SigV4 signature and resolves its access key to a principal.
    func authenticate(_ request: GatewayRequest, logger: Logger) async throws -> Authenticated {
        if let anonymous = Self.anonymousLink(request) { return anonymous }
        // With x-amz-content-sha256 (S3) the signature covers the declared hash, which the S3
        // wire checks against the body once; hash the body here only when nothing declares it.
        let declared = request.header("x-amz-content-sha256") != nil
        let signable = SignableRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            bodySHA256: declared ? nil : SigV4.sha256Hex(request.body))
        let authorization: SigV4Authorization
        do {
            authorization = try SigV4Authorization.parse(signable)
        } catch {
            throw Self.awsError(error)
        }
        guard let key = try await identities.resolve(authorization.accessKeyID), key.active else {
            throw AWSError(
                code: "InvalidClientTokenId", message: "The security token included in the request is invalid.",
                httpStatus: 403)
        }
        if let token = key.sessionToken {
            guard let sent = authorization.securityToken, SigV4.equalSignatures(sent, token) else {
                throw AWSError(
                    code: "InvalidClientTokenId", message: "The security token included in the request is invalid.",
                    httpStatus: 403)
            }
            if let expiration = key.expiration, expiration <= clock.now() {
                throw AWSError(
                    code: "ExpiredToken", message: "The security token included in the request is expired",
                    httpStatus: 403)
            }
        }
        do {
            try authorization.verify(signable, secret: key.secretAccessKey, now: signingClock.now())
        } catch {
            if case .mismatch(let canonical, let toSign) = error {
                logger.debug(
                    "signature mismatch",
                    metadata: ["sigv4.canonical": .string(canonical), "sigv4.stringToSign": .string(toSign)])
            }
            throw Self.awsError(error)
        }
        return Authenticated(principal: key.principal, region: authorization.region, service: authorization.service)
    }

    /// An unsigned GET of the links SNS puts in its messages (SubscribeURL, UnsubscribeURL):
    /// AWS serves them without a signature, so receivers can follow them. The ARN names the
    /// region and the account that records the call.
    static func anonymousLink(_ request: GatewayRequest) -> Authenticated? {
        guard request.method == "GET", request.header("authorization") == nil,
            !request.query.contains("X-Amz-Credential")
        else { return nil }
        let parameters = QueryDecoder.formParameters(Substring(request.query))
        let arn: String?
        switch parameters["Action"] {
        case "ConfirmSubscription": arn = parameters["TopicArn"]
        case "Unsubscribe": arn = parameters["SubscriptionArn"]
        default: return nil
        }
        guard let parts = arn.flatMap(SNSService.parse) else { return nil }
        return Authenticated(principal: .anonymous(account: parts.account), region: parts.region, service: "sns")
    }

    /// The AWS error for each SigV4 failure, as the Query and JSON services word them.
    static func awsError(_ failure: SigV4Failure) -> AWSError {
        switch failure {
        case .missingAuthentication:
            AWSError(
                code: "MissingAuthenticationToken", message: "Request is missing Authentication Token", httpStatus: 403)
        case .incomplete(let message):
            AWSError(code: "IncompleteSignature", message: message, httpStatus: 400)
        case .mismatch:
            AWSError(
                code: "SignatureDoesNotMatch",
                message:
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                httpStatus: 403)
        case .skewed(let signed, let now):
            AWSError(
                code: "RequestExpired",
                message:
                    "Request timestamp \(SigV4.amzDate(signed)) is more than 15 minutes from the server time \(SigV4.amzDate(now)).",
                httpStatus: 400)
        case .expired:
            AWSError(code: "RequestExpired", message: "Request has expired.", httpStatus: 400)
        }
    }
}
