import AWSWire
import Foundation
import IAM
import ServiceContract
import SigV4

/// How the console reaches the gateway: the server wires it to `Gateway.respond` in process.
/// The request is a signed API call in the same form as a browser's request.
package typealias APIPort = @Sendable (ConsoleRequest) async -> WireResponse

/// An API call's failure as the page shows it: the service's own code and message.
struct APIFailure: Error, Sendable {
    var code: String
    var message: String
}

/// The console's API client: signs each call with the session's temporary credentials (SigV4),
/// sends it through the gateway, where it is authorized and recorded like any other call, and
/// reads the answer.
struct ConsoleClient: Sendable {
    let port: APIPort
    let credentials: ConsoleCredentials
    let region: String
    let sourceIP: String
    /// Whether the browser's request came over TLS (the API call then did too).
    let secure: Bool
    let host: String
    /// Wall time, as a browser's SDK signs with (the gateway checks the skew against it).
    let now: @Sendable () -> Date

    /// The user agent CloudTrail records for console calls: `console.amazonaws.com` for the root
    /// user, `signin.amazonaws.com` for IAM users (CloudTrail's record contents reference).
    var userAgent: String {
        credentials.principal.kind == .root ? "console.amazonaws.com" : "signin.amazonaws.com"
    }

    /// A Query-protocol call (ElastiCache, IAM, STS, SNS); answers the `…Result` element.
    func query(_ service: String, version: String, action: String, _ parameters: [(String, String)] = [])
        async throws(APIFailure) -> XMLNode
    {
        let body = FormData.encode([("Action", action), ("Version", version)] + parameters)
        let answer = await send(
            service: service, method: "POST", path: "/", query: "",
            headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")], body: Array(body.utf8))
        guard let document = try? XMLNode.parse(answer.body) else {
            throw APIFailure(code: "InternalFailure", message: "The service answered \(answer.status) without XML.")
        }
        guard answer.status < 300 else {
            let error = document.child("Error") ?? document
            throw APIFailure(
                code: error.child("Code")?.text ?? "Error", message: error.child("Message")?.text ?? "")
        }
        return document.child("\(action)Result") ?? document
    }

    /// A JSON 1.1 call (CloudTrail).
    func json(_ service: String, target: String, _ input: [String: Any]) async throws(APIFailure) -> JSONValue {
        let body = (try? JSONSerialization.data(withJSONObject: input)).map { [UInt8]($0) } ?? Array("{}".utf8)
        let answer = await send(
            service: service, method: "POST", path: "/", query: "",
            headers: [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", target)], body: body)
        let value = (try? JSONValue.parse(answer.body)) ?? .null
        guard answer.status < 300 else {
            let type = value["__type"]?.string ?? "Error"
            throw APIFailure(
                code: String(type.split(separator: "#").last ?? Substring(type)),
                message: value["message"]?.string ?? value["Message"]?.string ?? "")
        }
        return value
    }

    /// An S3 REST call, path-style; answers the body (XML for listings).
    func s3(_ method: String, path: String, query: String = "", body: [UInt8] = []) async throws(APIFailure)
        -> [UInt8]
    {
        let answer = await send(
            service: "s3", method: method, path: path, query: query,
            headers: [("x-amz-content-sha256", SigV4.sha256Hex(body))], body: body)
        guard answer.status < 300 else {
            let error = try? XMLNode.parse(answer.body)
            throw APIFailure(
                code: error?.child("Code")?.text ?? "Error\(answer.status)",
                message: error?.child("Message")?.text ?? "")
        }
        return answer.body
    }

    private func send(
        service: String, method: String, path: String, query: String, headers: [(name: String, value: String)],
        body: [UInt8]
    ) async -> WireResponse {
        let signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey,
                sessionToken: credentials.sessionToken),
            region: region, service: service)
        // The session's expiry is checked against the server's own clock, not this one.
        let signed = signer.sign(
            SignableRequest(
                method: method, path: path, query: query,
                headers: headers + [("host", host), ("user-agent", userAgent)], bodySHA256: SigV4.sha256Hex(body)),
            at: now())
        return await port(
            ConsoleRequest(
                method: method, path: path, query: query, headers: signed.headers, body: body, sourceIP: sourceIP,
                secure: secure))
    }
}

extension XMLNode {
    /// The text of the child `name`, or "".
    func text(_ name: String) -> String { child(name)?.text ?? "" }

    /// The elements of a list member: `<Name><member>…</member>…</Name>` or `<Name><Item>…`.
    func list(_ name: String) -> [XMLNode] { child(name)?.children ?? [] }
}
