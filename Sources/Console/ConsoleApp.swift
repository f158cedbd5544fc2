import AWSWire
import CloudTrail
import Foundation
import IAM
import Logging
import Mustache
import Persistence
import ServiceContract

/// The web console under `/console`: sign-in, sessions, and pages whose every action is an
/// ordinary API call through the gateway with the session's temporary credentials.
package struct ConsoleApp: Sendable {
    let identities: IdentityStore
    let sessions: ConsoleSessions
    let throttle = SignInThrottle()
    let port: APIPort
    /// The server's domain clock: session expiry and sign-in throttling.
    let now: @Sendable () -> Date
    /// The clock the gateway checks signatures' skew against (wall time in a server).
    let signingNow: @Sendable () -> Date
    let regions: [String]
    let defaultRegion: String
    let templates = ConsoleTemplates()
    let logger: Logger

    package init(
        identities: IdentityStore, port: @escaping APIPort, now: @escaping @Sendable () -> Date,
        signingNow: @escaping @Sendable () -> Date = { Date() }, regions: [String], defaultRegion: String,
        logger: Logger
    ) {
        self.identities = identities
        sessions = ConsoleSessions(store: identities.store)
        self.port = port
        self.now = now
        self.signingNow = signingNow
        self.regions = regions
        self.defaultRegion = defaultRegion
        self.logger = logger
    }

    /// The templates, parsed at the first page rather than at every start-up.
    var library: MustacheLibrary { templates.library }

    /// Answers one request under `/console`. Never throws: failures are pages.
    package func respond(_ request: ConsoleRequest) async -> ConsoleResponse {
        switch (request.method, request.path) {
        case ("GET", "/console"), ("GET", "/console/"): return .redirect("/console/elasticache")
        case ("GET", "/console/static/console.css"): return Self.asset(Assets.css, type: "text/css; charset=utf-8")
        case ("GET", "/console/static/console.js"):
            return Self.asset(Assets.js, type: "text/javascript; charset=utf-8")
        case ("GET", "/console/signin"): return signInForm(request, error: nil, account: "", username: "")
        case ("POST", "/console/signin"): return await signIn(request)
        default: break
        }
        do {
            let token = request.cookies[ConsoleSessions.cookieName]
            guard let token, var session = try await sessions.find(token, now: now()) else {
                return request.method == "GET"
                    ? .redirect("/console/signin")
                    : .html("<p>Your session has ended. <a href=\"/console/signin\">Sign in</a></p>", status: 401)
            }
            if request.method == "POST" {
                guard ConsoleSessions.sameToken(request.form["csrf"], session.csrfToken) else {
                    return .html("<p>The form's CSRF token is missing or wrong.</p>", status: 403)
                }
            }
            let region =
                request.parameters["region"].flatMap { regions.contains($0) ? $0 : nil }
                ?? request.form["region"].flatMap { regions.contains($0) ? $0 : nil } ?? session.region
            if region != session.region {
                session.region = region
                try await sessions.update(token, session)
            }
            let page = PageContext(
                app: self, request: request, token: token, session: session, region: region,
                client: ConsoleClient(
                    port: port, credentials: session.credentials, region: region, sourceIP: request.sourceIP,
                    secure: request.secure, host: request.header("host") ?? "localhost", now: signingNow))
            // A login profile that asks for a new password allows nothing else until it is set.
            switch (request.method, request.path) {
            case ("POST", "/console/signout"): return await signOut(request, token: token, session: session)
            case ("GET", "/console/password"): return await PasswordPage(page: page).form(error: nil)
            case ("POST", "/console/password"): return await PasswordPage(page: page).change()
            case _ where session.mustChangePassword == true: return .redirect("/console/password")
            case ("GET", "/console/elasticache"): return await ElastiCachePages(page: page).list()
            case ("POST", "/console/elasticache/create"): return await ElastiCachePages(page: page).create()
            case ("POST", "/console/elasticache/delete"): return await ElastiCachePages(page: page).delete()
            case ("POST", "/console/elasticache/reboot"): return await ElastiCachePages(page: page).reboot()
            case ("GET", "/console/elasticache/cluster"): return await ClusterPage(page: page).show()
            case ("GET", "/console/elasticache/group"): return await GroupPage(page: page).show()
            case ("POST", "/console/elasticache/group/delete"): return await GroupPage(page: page).delete()
            case ("POST", "/console/elasticache/serverless/create"):
                return await ElastiCachePages(page: page).serverless(create: true)
            case ("POST", "/console/elasticache/serverless/delete"):
                return await ElastiCachePages(page: page).serverless(create: false)
            case ("POST", "/console/elasticache/modify"): return await ClusterPage(page: page).modify()
            case ("POST", "/console/elasticache/snapshots/create"):
                return await ClusterPage(page: page).createSnapshot()
            case ("POST", "/console/elasticache/snapshots/delete"):
                return await ClusterPage(page: page).deleteSnapshot()
            case ("GET", "/console/cloudtrail"): return await CloudTrailPages(page: page).history()
            case ("GET", "/console/cloudtrail/download"): return await CloudTrailPages(page: page).download()
            case ("GET", "/console/cloudtrail/trails"): return await CloudTrailPages(page: page).trails()
            case ("POST", "/console/cloudtrail/trails/create"): return await CloudTrailPages(page: page).createTrail()
            case ("POST", "/console/cloudtrail/trails/start"):
                return await CloudTrailPages(page: page).setLogging(true)
            case ("POST", "/console/cloudtrail/trails/stop"):
                return await CloudTrailPages(page: page).setLogging(false)
            case ("GET", "/console/s3"): return await BucketPages(page: page).browse()
            case ("GET", "/console/s3/download"): return await BucketPages(page: page).download()
            default: return await page.render("Not found", body: "<p>No such console page.</p>", status: 404)
            }
        } catch {
            logger.error("console failed", metadata: ["error": .string(String(describing: error))])
            return .html("<p>The console could not reach its state store.</p>", status: 503)
        }
    }

    // MARK: Sign-in

    private func signInForm(_ request: ConsoleRequest, error: String?, account: String, username: String)
        -> ConsoleResponse
    {
        let token = ConsoleSessions.randomToken()
        let page =
            library.render(
                ["csrf": token, "error": error.map { $0 as Any } ?? false, "account": account, "username": username],
                withTemplate: "signin") ?? ""
        return .html(
            page, status: error == nil ? 200 : 401,
            cookies: [
                ConsoleSessions.cookie(ConsoleSessions.signInCookieName, token, secure: request.secure, maxAge: 3600)
            ]
        )
    }

    private func signIn(_ request: ConsoleRequest) async -> ConsoleResponse {
        let form = request.form
        let account = (form["account"] ?? "").trimmingCharacters(in: .whitespaces)
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        guard
            let cookie = request.cookies[ConsoleSessions.signInCookieName],
            ConsoleSessions.sameToken(form["csrf"], cookie)
        else {
            return .html("<p>The sign-in form expired. <a href=\"/console/signin\">Sign in</a></p>", status: 403)
        }
        let userAgent = request.header("user-agent") ?? ""
        let loginTo =
            "\(request.secure ? "https" : "http")://\(request.header("host") ?? "localhost")/console/elasticache"
        let time = now()
        if throttle.blockedUntil(account: account, address: request.sourceIP, now: time) != nil {
            return signInForm(
                request, error: "Too many failed attempts. Wait a moment, then try again.", account: account,
                username: username)
        }
        do {
            let outcome = try await identities.consoleSignIn(
                account: account, userName: username.isEmpty ? nil : username, password: form["password"] ?? "",
                now: time
            ) { outcome in
                switch outcome {
                case .success(let credentials, _):
                    SignInEvents.consoleLogin(
                        credentials.principal, success: true, sourceIP: request.sourceIP, userAgent: userAgent,
                        loginTo: loginTo, time: time)
                case .failure(let claimed):
                    claimed.map {
                        SignInEvents.consoleLogin(
                            $0, success: false, sourceIP: request.sourceIP, userAgent: userAgent, loginTo: loginTo,
                            time: time)
                    }
                }
            }
            guard case .success(let credentials, let mustChangePassword) = outcome else {
                throttle.failed(account: account, address: request.sourceIP, now: time)
                return signInForm(
                    request, error: "Your authentication information is incorrect. Please try again.",
                    account: account, username: username)
            }
            throttle.succeeded(account: account, address: request.sourceIP)
            var (token, session) = try await sessions.create(credentials, region: defaultRegion, now: time)
            if mustChangePassword {
                session.mustChangePassword = true
                try await sessions.update(token, session)
            }
            return .redirect(
                mustChangePassword ? "/console/password" : "/console/elasticache",
                cookies: [
                    ConsoleSessions.cookie(ConsoleSessions.cookieName, token, secure: request.secure, maxAge: nil),
                    ConsoleSessions.cookie(ConsoleSessions.signInCookieName, "", secure: request.secure, maxAge: 0),
                ])
        } catch {
            logger.error("sign-in failed", metadata: ["error": .string(String(describing: error))])
            return .html("<p>The console could not reach its state store.</p>", status: 503)
        }
    }

    private func signOut(_ request: ConsoleRequest, token: String, session: ConsoleSession) async -> ConsoleResponse {
        do {
            try await sessions.end(token)
            try await identities.endSession(session.credentials.accessKeyId)
        } catch {
            logger.error("sign-out failed", metadata: ["error": .string(String(describing: error))])
        }
        return .redirect(
            "/console/signin",
            cookies: [ConsoleSessions.cookie(ConsoleSessions.cookieName, "", secure: request.secure, maxAge: 0)])
    }

    private static func asset(_ text: String, type: String) -> ConsoleResponse {
        ConsoleResponse(
            status: 200,
            headers: [("content-type", type), ("cache-control", "max-age=300"), ("x-content-type-options", "nosniff")],
            body: text)
    }
}
