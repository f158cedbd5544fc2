import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SigV4

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
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .PUT
        // Every signed header as signed, the host among them (with the port the signature names).
        for header in signed.headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: UInt
        let answer: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            status = response.status.code
            answer = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw Failure(code: "EndpointUnreachable")
        }
        guard (200..<300).contains(status) else {
            throw Failure(code: Self.errorCode(Data(answer.readableBytesView)) ?? "HTTPError")
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
