import Foundation

/// Signs requests with an Authorization header, as botocore does; for outbound clients and tests.
package struct SigV4Signer: Sendable {
    package var credentials: AWSCredentials
    package var region: String
    package var service: String

    package init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `x-amz-date`, the session token if any, and `authorization` to `request`.
    package func sign(_ request: SignableRequest, at date: Date) -> SignableRequest {
        var request = request
        let amzDate = Timestamps.amzDate(date)
        request.headers.removeAll {
            ["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased())
        }
        request.headers.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { request.headers.append(("x-amz-security-token", token)) }
        let signed = Set(request.headers.map { $0.name.lowercased() }).sorted()
        let payload = request.header("x-amz-content-sha256") ?? request.bodySHA256 ?? SigV4.sha256Hex([UInt8]())
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let canonical = SigV4.canonicalRequest(request, service: service, signedHeaders: signed, payloadHash: payload)
        let key = SigV4.signingKey(
            secret: credentials.secretAccessKey, date: String(amzDate.prefix(8)), region: region, service: service)
        let signature = SigV4.signature(
            key: key, stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        request.headers.append(
            (
                "authorization",
                "\(SigV4.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signed.joined(separator: ";")), Signature=\(signature)"
            ))
        return request
    }
}
