import AWSModels
import AWSWire
import Foundation
import SigV4

/// S3's REST-XML side of the wire: virtual hosts, streaming (aws-chunked) bodies, payload
/// hashes, and S3's own names for authentication errors.
extension WireFormat {
    /// Built once: the router parses every operation's URI template.
    static let s3Router = RestXMLRouter(routes: OperationRoute.s3, model: .s3)

    /// S3's limit on an object key, in UTF-8 bytes.
    static let maxKeyLength = 1_024

    /// Query and JSON bodies above this size are refused; S3 bodies may be larger.
    static let queryBodyLimit = 1 << 20

    /// The request as S3 sees it: bucket moved from a `<bucket>.localhost` host into the path,
    /// aws-chunked bodies decoded (trailing checksums become headers) when — and only when —
    /// the signed payload mode says the body is chunked, each chunk's signature checked.
    static func restRequest(_ request: GatewayRequest, payload: VerifiedPayload) throws(AWSError) -> RestRequest {
        var path = request.path
        if let host = request.header("host")?.split(separator: ":").first, host.hasSuffix(".localhost") {
            path = "/" + host.dropLast(".localhost".count) + (path == "/" ? "" : path)
        }
        let query = SignableRequest(
            method: request.method, path: "/", query: request.query, headers: [], bodySHA256: nil
        )
        .queryItems.filter { !$0.name.hasPrefix("X-Amz-") }
        var headers = request.headers
        var body = request.body
        if case .streaming(let signer) = payload {
            let decoded = try AWSChunked.decode(body, verifier: signer.map(SignedChunks.init))
            body = decoded.body
            for (name, value) in decoded.trailers { headers.append((name, value)) }
            if let length = request.header("x-amz-decoded-content-length"), Int(length) != body.count {
                throw AWSError(
                    code: "IncompleteBody",
                    message: "You did not provide the number of bytes specified by the Content-Length HTTP header")
            }
            let encoding = request.header("content-encoding") ?? ""
            let remaining = encoding.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0 != "aws-chunked" && !$0.isEmpty }
            headers.removeAll { $0.name.lowercased() == "content-encoding" }
            if !remaining.isEmpty { headers.append(("Content-Encoding", remaining.joined(separator: ","))) }
        }
        return RestRequest(method: request.method, path: path, query: query, headers: headers, body: body)
    }

    func decodeS3(_ request: GatewayRequest, model: ServiceModel, payload: VerifiedPayload) throws(AWSError) -> (
        OperationModel, ShapeValue
    ) {
        let rest = try Self.restRequest(request, payload: payload)
        let operation: OperationModel
        switch Self.s3Router.route(rest) {
        case .served(let served): operation = served
        case .unserved: throw AWSError.s3NotImplemented
        case nil:
            throw AWSError(
                code: "MethodNotAllowed", message: "The specified method is not allowed against this resource.",
                httpStatus: 405)
        }
        if let key = rest.bucketAndKey.key, key.utf8.count > Self.maxKeyLength {
            throw AWSError(code: "KeyTooLongError", message: "Your key is too long")
        }
        return (operation, try RestXMLCodec(model: model).decode(rest, operation: operation))
    }

    func successS3(_ output: ShapeValue?, operation: OperationModel, requestID: String, model: ServiceModel)
        -> GatewayResponse
    {
        var response = RestXMLCodec(model: model).encode(output, operation: operation)
        if operation.name == "GetBucketLocation" {
            // botocore reads the location as the root element's text, as S3 writes it.
            var xml = XMLWriter()
            xml.open("LocationConstraint", namespace: "http://s3.amazonaws.com/doc/2006-03-01/")
            xml.close("LocationConstraint")
            let region = output?[member: "LocationConstraint"]?.stringValue ?? ""
            let text = xml.text.replacingOccurrences(of: "></", with: ">\(XMLWriter.escape(region))</")
            response.body = Array(text.utf8)
            response.headers = [("Content-Type", "application/xml")]
        }
        if response.headers.contains(where: { $0.name.lowercased() == "content-range" }) { response.status = 206 }
        if case .integer(let status)? = output?[member: "StatusCode"] { response.status = Int(status) }
        response.headers.append(("x-amz-request-id", requestID))
        response.headers.append(("x-amz-id-2", requestID))
        return response
    }

    /// The event name of an S3 request that failed before its input decoded: the operation its
    /// binding names, served or not, else the HTTP method.
    static func s3OperationName(_ request: GatewayRequest) -> String {
        guard let rest = try? restRequest(request, payload: .unsigned) else { return request.method }
        switch s3Router.route(rest) {
        case .served(let operation): return operation.name
        case .unserved(let name): return name
        case nil: return request.method
        }
    }

    /// S3's names for the authentication failures the other services word differently.
    static func s3Error(_ error: AWSError) -> AWSError {
        switch error.code {
        case "MissingAuthenticationToken":
            return AWSError(code: "AccessDenied", message: "Access Denied", httpStatus: 403)
        case "InvalidClientTokenId":
            return AWSError(
                code: "InvalidAccessKeyId",
                message: "The AWS Access Key Id you provided does not exist in our records.",
                httpStatus: 403)
        case "RequestExpired" where error.message == "Request has expired.":
            return AWSError(code: "AccessDenied", message: "Request has expired", httpStatus: 403)
        case "RequestExpired":
            return AWSError(
                code: "RequestTimeTooSkewed",
                message: "The difference between the request time and the current time is too large.",
                httpStatus: 403)
        case "IncompleteSignature":
            return AWSError(code: "AuthorizationHeaderMalformed", message: error.message, httpStatus: 400)
        case "SignatureDoesNotMatch":
            return AWSError(
                code: "SignatureDoesNotMatch",
                message:
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                httpStatus: 403)
        default: return error
        }
    }
}

/// The chunk-signature chain of a signed streaming upload, checked chunk by chunk.
struct SignedChunks: ChunkVerifier {
    var signer: ChunkSigner

    mutating func accept(chunk bytes: ArraySlice<UInt8>, signature: String?) -> Bool {
        guard let signature else { return false }
        return SigV4.equalSignatures(signer.next(chunk: bytes), signature.lowercased())
    }

    mutating func accept(trailer canonical: String, signature: String?) -> Bool {
        guard let signature else { return false }
        return SigV4.equalSignatures(signer.next(trailer: canonical), signature.lowercased())
    }
}
