import Foundation
import IAM
import Mustache
import ServiceContract

/// One signed-in request: its session, region and API client, and the page frame.
struct PageContext: Sendable {
    let app: ConsoleApp
    let request: ConsoleRequest
    let token: String
    let session: ConsoleSession
    let region: String
    let client: ConsoleClient

    enum Section: String {
        case elasticache, history, trails
    }

    /// The page inside the layout; a pending flash message is shown once and cleared.
    /// `failures`: calls of the page that were refused, each shown above it (escaped by the
    /// layout like every value).
    func render(
        _ title: String, body: String, status: Int = 200, section: Section? = nil, failures: [String] = []
    ) async -> ConsoleResponse {
        // Absent keys, not nil values: a nil in `Any` would open its section.
        var flash: Any = false
        if let pending = session.flash {
            flash = ["kind": pending.success ? "success" : "error", "message": pending.message]
            var cleared = session
            cleared.flash = nil
            try? await app.sessions.update(token, cleared)
        }
        let principal = session.credentials.principal
        let context: [String: Any] = [
            "title": title, "body": body, "region": region, "path": request.path, "csrf": session.csrfToken,
            "identity": principal.kind == .root ? "root" : principal.userName ?? principal.arn,
            "account": principal.accountId, "flash": flash, "failures": failures,
            "nav": section.map { [$0.rawValue: true] } ?? [:],
            "regions": app.regions.map { ["name": $0, "selected": $0 == region] },
        ]
        return .html(app.library.render(context, withTemplate: "layout") ?? "", status: status)
    }

    /// Renders one of the page templates with the session's CSRF token and region added.
    func template(_ name: String, _ context: [String: Any]) -> String {
        var context = context
        context["csrf"] = session.csrfToken
        context["region"] = region
        return app.library.render(context, withTemplate: name) ?? ""
    }

    /// After a form's action: back to a page, with the action's outcome shown there once.
    func redirect(_ location: String, success: Bool, _ message: String) async -> ConsoleResponse {
        var updated = session
        updated.flash = Flash(success: success, message: message)
        try? await app.sessions.update(token, updated)
        return .redirect(location)
    }

    /// Runs a form's action, then goes back to `location` showing `done` or the call's failure.
    func act(_ location: String, done: String, _ action: () async throws(APIFailure) -> Void) async
        -> ConsoleResponse
    {
        do {
            try await action()
            return await redirect(location, success: true, done)
        } catch {
            return await redirect(location, success: false, PageContext.describe(error))
        }
    }

    /// The message a failed call shows: the service's error code and message, as AWS's console.
    static func describe(_ failure: APIFailure) -> String {
        failure.message.isEmpty ? failure.code : "\(failure.code): \(failure.message)"
    }

    /// A value for a URL query.
    static func query(_ text: String) -> String { FormData.escape(text) }
}
