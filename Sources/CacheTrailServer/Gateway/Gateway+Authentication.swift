import AWSModels
import AWSWire
import Foundation
import IAM
import Logging
import Notifications
import ServiceContract
import SigV4

extension Gateway {
    struct Authenticated: Sendable {
        var principal: Principal
        var region: String
        /// The SigV4 signing name of the credential scope (`sts`, `elasticache`, …).
        var service: String
        /// How the body is bound to the signature (S3 may stream or leave it unsigned).
        var payload: VerifiedPayload = .hashed
        /// Signed in the query string (a presigned URL) rather than the Authorization header.
        var presigned = false
    }

    /// Verifies the request's SigV4 signature and resolves its access key to a principal.
    /// With `headOnly` (an S3 request whose body is not read yet) the declared payload hash is
    /// not compared with a body: the signature over the head is all that is checked.
    func authenticate(_ request: GatewayRequest, logger: Logger, headOnly: Bool = false) async throws
        -> Authenticated
    {
        if let anonymous = Self.anonymousLink(request) {
            guard unsignedLimiter.allow(request.sourceIP) else {
                throw AWSError(code: "Throttling", message: "Rate exceeded", httpStatus: 400)
            }
            return anonymous
        }
        var signable = SignableRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            bodySHA256: nil)
        let authorization: SigV4Authorization
        switch request.signature {
        case .success(let parsed): authorization = parsed
        case .failure(let error): throw Self.awsError(error)
        }
        // The body's hash is what the signature covers, except where S3 declares a streaming or
        // unsigned payload: hash it unless that is so (a declared hash is compared with it).
        let declared = request.header("x-amz-content-sha256").flatMap(SignedPayload.mode(declared:))
        if !headOnly && (authorization.service != "s3" || (!authorization.presigned && declared == .hashed)) {
            let body = request.body
            signable.bodySHA256 = await Offload.run(bytes: body.count) { SigV4.sha256Hex(body) }
        }
        // The scope's region names the events, ARNs and log-file keys of the call.
        guard Partition.allRegions.contains(authorization.region) else {
            throw AWSError(
                code: "SignatureDoesNotMatch", message: "Credential should be scoped to a valid region.",
                httpStatus: 403)
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
        let payload: VerifiedPayload
        do {
            payload = try authorization.verify(signable, secret: key.secretAccessKey, now: signingClock.now())
        } catch {
            if case .mismatch(var canonical, let toSign) = error {
                // The canonical request carries the session token as a signed header: never logged.
                if let token = authorization.securityToken, !token.isEmpty {
                    canonical = canonical.replacingOccurrences(of: token, with: "<redacted>")
                }
                logger.debug(
                    "signature mismatch",
                    metadata: ["sigv4.canonical": .string(canonical), "sigv4.stringToSign": .string(toSign)])
            }
            throw Self.awsError(error)
        }
        return Authenticated(
            principal: key.principal.acting(in: Partition(region: authorization.region)), region: authorization.region,
            service: authorization.service, payload: payload,
            presigned: authorization.presigned)
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
        case .missingPayloadHash:
            AWSError(
                code: "InvalidRequest", message: "Missing required header for this request: x-amz-content-sha256",
                httpStatus: 400)
        case .invalidPayloadHash:
            AWSError(
                code: "InvalidArgument",
                message:
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
                httpStatus: 400)
        case .payloadHashMismatch:
            AWSError(
                code: "XAmzContentSHA256Mismatch",
                message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
                httpStatus: 400)
        }
    }
}

extension Gateway {
    /// A caller authenticated from the request's head, before its body was read.
    package struct Admitted: Sendable {
        var caller: Authenticated
        /// The hex SHA-256 the body must have (S3's declared payload hash), if it declared one.
        var declaredHash: String?
    }

    /// What may be read of a request's body, decided from its head alone.
    enum Admission {
        /// Read at most this many bytes; `admitted` when the head already authenticated.
        case read(limit: Int, admitted: Admitted? = nil)
        /// Answer this without reading the body.
        case refuse(GatewayResponse)
    }

    /// Decides from the head (method, path, query, headers; the body not read yet) how much of
    /// the body to read: nothing for a request that cannot authenticate, Query/JSON's 1 MiB for
    /// their services, and an S3 body only once the signature over the head verifies (S3 signs
    /// the declared payload hash, so a stranger's upload is refused before its bytes are held).
    func admit(_ head: GatewayRequest, maxBodyBytes: Int, logger: Logger) async -> Admission {
        guard let authorization = try? head.signature.get() else {
            // Unsigned: only an SNS link (a GET without a body) can be served; anything else
            // gets the gateway's answer (MissingAuthenticationToken) without its body read.
            if head.method == "GET" { return .read(limit: 0) }
            return .refuse(await respond(to: head, logger: logger))
        }
        guard authorization.service == "s3" else { return .read(limit: WireFormat.queryBodyLimit) }
        let caller: Authenticated
        do {
            caller = try await authenticate(head, logger: logger, headOnly: true)
        } catch let error as AWSError {
            return .refuse(respondWithoutBody(head, error: error))
        } catch {
            return .refuse(WireFormat(kind: .s3).failure(.internalFailure, requestID: RandomIdentifier.uuid()))
        }
        let declared = head.header("x-amz-content-sha256")
        let hashed = !authorization.presigned && declared.flatMap(SignedPayload.mode(declared:)) == .hashed
        return .read(
            limit: maxBodyBytes,
            admitted: Admitted(caller: caller, declaredHash: hashed ? declared?.lowercased() : nil))
    }

    /// The answer to a request refused before its body was read, as the gateway would give it
    /// (not recorded: the caller did not authenticate).
    private func respondWithoutBody(_ head: GatewayRequest, error: AWSError) -> GatewayResponse {
        let wire = WireFormat.guess(head, handlers: handlers)
        return wire.failure(error, requestID: RandomIdentifier.uuid())
    }
}
