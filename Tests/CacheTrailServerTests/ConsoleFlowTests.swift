import AWSWire
import Console
import Foundation
import IAM
import Logging
import Testing

@testable import CacheTrailServer

/// The console in process: its requests go through the harness's gateway, as the server wires
/// them, with the harness's manual clock for sessions and signatures.
@Suite(.serialized) struct ConsoleFlowTests {
    let harness: GatewayHarness
    let console: ConsoleApp
    let password: String

    init() async throws {
        let harness = try await GatewayHarness()
        let gateway = harness.gateway
        let clock = harness.clock
        console = ConsoleApp(
            identities: harness.data.identities,
            port: { request in
                await gateway.respond(
                    to: GatewayRequest(
                        method: request.method, path: request.path, query: request.query, headers: request.headers,
                        body: request.body, sourceIP: request.sourceIP),
                    logger: Logger(label: "console"))
            },
            now: { clock.now() }, signingNow: { clock.now() }, regions: ["us-east-1", "us-west-2"],
            defaultRegion: "us-west-2", logger: Logger(label: "console"))
        password = try #require(try await harness.data.identities.resetRootPassword(account: GatewayHarness.account))
        self.harness = harness
    }

    private func send(
        _ method: String, _ path: String, query: String = "", form: [(String, String)] = [], cookies: [String] = []
    ) async -> WireResponse {
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        var headers: [(name: String, value: String)] = [("host", "localhost:4577"), ("user-agent", "harness-browser")]
        if !cookies.isEmpty { headers.append(("cookie", cookies.joined(separator: "; "))) }
        return await console.respond(
            ConsoleRequest(
                method: method, path: path, query: query, headers: headers, body: Array(body.utf8),
                sourceIP: "192.0.2.44", secure: false))
    }

    private static func cookie(_ response: WireResponse, _ name: String) -> String? {
        response.headers.first { $0.name == "set-cookie" && $0.value.hasPrefix("\(name)=") }
            .map { String($0.value.prefix { $0 != ";" }) }
    }

    private static func csrf(_ response: WireResponse) -> String? {
        let page = String(decoding: response.body, as: UTF8.self)
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in as root; answers the session cookie and the page's CSRF token.
    private func signIn() async throws -> (cookie: String, csrf: String) {
        let form = await send("GET", "/console/signin")
        let signInCookie = try #require(Self.cookie(form, "ct_signin"))
        let signedIn = await send(
            "POST", "/console/signin",
            form: [
                ("csrf", try #require(Self.csrf(form))), ("account", GatewayHarness.account), ("username", ""),
                ("password", password),
            ], cookies: [signInCookie])
        #expect(signedIn.status == 303)
        let session = try #require(Self.cookie(signedIn, "ct_console"))
        let page = await send("GET", "/console/elasticache", cookies: [session])
        #expect(page.status == 200)
        return (session, try #require(Self.csrf(page)))
    }

    @Test func aFormActionIsASignedCallRecordedAsTheConsoles() async throws {
        let (session, csrf) = try await signIn()
        let form = [("region", "us-west-2"), ("id", "from-console"), ("engine", "memcached"), ("numNodes", "1")]
        #expect(await send("POST", "/console/elasticache/create", form: form, cookies: [session]).status == 403)
        let created = await send(
            "POST", "/console/elasticache/create", form: form + [("csrf", csrf)], cookies: [session])
        #expect(created.status == 303)
        let record = try #require(
            try await harness.records().first { $0["eventName"] as? String == "CreateCacheCluster" })
        #expect(record["sessionCredentialFromConsole"] as? String == "true")
        #expect(record["userAgent"] as? String == "console.amazonaws.com")
        #expect(record["sourceIPAddress"] as? String == "192.0.2.44")
        let identity = try #require(record["userIdentity"] as? [String: Any])
        #expect(identity["type"] as? String == "Root")
        #expect((identity["accessKeyId"] as? String)?.hasPrefix("ASIA") == true)
        // The page shows the new cluster and, once, the action's outcome.
        let page = String(decoding: await send("GET", "/console/elasticache", cookies: [session]).body, as: UTF8.self)
        #expect(page.contains("Creating cache cluster from-console.") && page.contains("data-cluster=\"from-console\""))
        let again = String(decoding: await send("GET", "/console/elasticache", cookies: [session]).body, as: UTF8.self)
        #expect(!again.contains("Creating cache cluster from-console."))
    }

    @Test func longListsArePaged() async throws {
        for index in 0..<51 { await harness.createCluster(String(format: "c-%02d", index), engine: "memcached") }
        let (session, _) = try await signIn()
        let first = String(decoding: await send("GET", "/console/elasticache", cookies: [session]).body, as: UTF8.self)
        #expect(first.components(separatedBy: "data-cluster=").count - 1 == 50)
        #expect(!first.contains("data-cluster=\"c-50\""))
        let link = try #require(first.range(of: "id=\"next-clusters\" href=\"/console/elasticache?"))
        let query = String(first[link.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
        let second = String(
            decoding: await send("GET", "/console/elasticache", query: query, cookies: [session]).body, as: UTF8.self)
        #expect(second.contains("data-cluster=\"c-50\"") && !second.contains("data-cluster=\"c-00\""))
    }

    @Test func signInIsRecordedInUSEast1AndASessionLasts12Hours() async throws {
        let (session, _) = try await signIn()
        harness.region = "us-east-1"
        let login = try #require(try await harness.records().first { $0["eventName"] as? String == "ConsoleLogin" })
        #expect(login["eventType"] as? String == "AwsConsoleSignIn")
        #expect(login["userAgent"] as? String == "harness-browser")
        #expect((login["responseElements"] as? [String: String]) == ["ConsoleLogin": "Success"])
        harness.advance(12 * 3600 - 1)
        #expect(await send("GET", "/console/elasticache", cookies: [session]).status == 200)
        harness.advance(1)
        let expired = await send("GET", "/console/elasticache", cookies: [session])
        #expect(expired.status == 303)
        #expect(expired.headers.first { $0.name == "location" }?.value == "/console/signin")
    }

    @Test func aSignInFormWithoutItsCookieTokenIsRefused() async throws {
        let form = await send("GET", "/console/signin")
        let refused = await send(
            "POST", "/console/signin",
            form: [
                ("csrf", try #require(Self.csrf(form))), ("account", GatewayHarness.account), ("password", password),
            ])
        #expect(refused.status == 403)
        #expect(Self.cookie(refused, "ct_console") == nil)
    }

    @Test func pagesAreNeverFramedAndRunOnlyTheConsolesOwnScript() async throws {
        let page = await send("GET", "/console/signin")
        let headers = Dictionary(page.headers.map { ($0.name, $0.value) }) { first, _ in first }
        #expect(headers["x-frame-options"] == "DENY")
        #expect(headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(headers["cache-control"] == "no-store")
    }
}
