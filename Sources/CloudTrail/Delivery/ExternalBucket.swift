import Foundation
import SigV4

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A bucket behind an S3-compatible endpoint of its own (`--s3-endpoint`): log files are
/// PUT there, path-style and SigV4-signed with the credentials configured for it.
package struct ExternalBucket: Sendable {
    package var endpoint: URL
    package var credentials: AWSCredentials
    package var region: String

    package init(endpoint: URL, credentials: AWSCredentials, region: String = "us-east-1") {
        self.endpoint = endpoint
        self.credentials = credentials
        self.region = region
    }

    /// The endpoint refused the object or could not be reached; `code` is what status shows.
    package struct Failure: Error, Sendable {
        package var code: String
    }

    /// Stores `body` at `bucket`/`key`; throws ``Failure`` with S3's error code, or a
    /// connection error's description.
    package func put(bucket: String, key: String, body: [UInt8], headers extra: [(String, String)]) async throws {
        let base =
            endpoint.absoluteString.hasSuffix("/")
            ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        let path =
            "/"
            + ([bucket] + key.split(separator: "/", omittingEmptySubsequences: false).map(String.init))
            .map { SigV4.encode($0) }.joined(separator: "/")
        guard let url = URL(string: base + path), let host = url.host else {
            throw Failure(code: "InvalidEndpoint")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        var headers: [(name: String, value: String)] = [
            ("host", hostHeader), ("x-amz-content-sha256", SigV4.sha256Hex(body)),
        ]
        for (name, value) in extra { headers.append((name, value)) }
        let signed = SigV4Signer(credentials: credentials, region: region, service: "s3").sign(
            SignableRequest(method: "PUT", path: path, query: "", headers: headers, bodySHA256: nil), at: Date())
        var request = URLRequest(url: url)
        request.httpMethod = "PUT"
        request.timeoutInterval = 30
        for header in signed.headers where header.name != "host" {
            request.setValue(header.value, forHTTPHeaderField: header.name)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.upload(for: request, from: Data(body))
        } catch {
            throw Failure(code: "EndpointUnreachable")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw Failure(code: Self.errorCode(data) ?? "HTTPError")
        }
    }

    /// The `<Code>` of an S3 error body.
    static func errorCode(_ data: Data) -> String? {
        guard let text = String(data: data, encoding: .utf8), let start = text.range(of: "<Code>"),
            let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
