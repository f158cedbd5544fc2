import AWSWire
import Foundation

/// An IAM user's own password: IAM's ChangePassword, called with the session's credentials (so
/// the user needs `iam:ChangePassword`, as on AWS without a password policy that allows it).
struct PasswordPage {
    let page: PageContext

    func form(error: String?) async -> ConsoleResponse {
        let body = page.template(
            "password",
            ["required": page.session.mustChangePassword == true, "error": error.map { $0 as Any } ?? false])
        return await page.render("Change password", body: body, status: error == nil ? 200 : 400)
    }

    func change() async -> ConsoleResponse {
        let fields = page.request.form
        let new = fields["newPassword"] ?? ""
        guard new == fields["confirmPassword"] else { return await form(error: "The new passwords do not match.") }
        do {
            _ = try await page.client.query(
                "iam", version: "2010-05-08", action: "ChangePassword",
                [("NewPassword", new), ("OldPassword", fields["oldPassword"] ?? "")])
        } catch {
            return await form(error: PageContext.describe(error))
        }
        var session = page.session
        session.mustChangePassword = nil
        try? await page.app.sessions.update(page.token, session)
        let updated = PageContext(
            app: page.app, request: page.request, token: page.token, session: session, region: page.region,
            client: page.client)
        return await updated.redirect("/console/elasticache", success: true, "Your password was changed.")
    }
}
