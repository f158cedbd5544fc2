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
    func render(_ title: String, body: String, status: Int = 200, section: Section? = nil) async -> ConsoleResponse {
        var flash: [String: String]?
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
            "account": principal.accountId, "flash": flash as Any,
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

    /// The message a failed call shows: the service's error code and message, as AWS's console.
    static func describe(_ failure: APIFailure) -> String {
        failure.message.isEmpty ? failure.code : "\(failure.code): \(failure.message)"
    }

    /// A value for a URL query.
    static func query(_ text: String) -> String { FormData.escape(text) }
}
