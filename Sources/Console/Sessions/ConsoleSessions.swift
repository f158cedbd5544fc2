import Crypto
import Foundation
import IAM
import Persistence
import SigV4
import Synchronization

/// A signed-in browser: the session's temporary credentials, its CSRF token and region. Stored
/// under the SHA-256 of its cookie, so the state store never holds a usable cookie.
struct ConsoleSession: CachedDocument, Equatable {
    var credentials: ConsoleCredentials
    var csrfToken: String
    var region: String
    var created: Date
    var expires: Date
    /// A message for the next page shown (the outcome of a form's action).
    var flash: Flash?
    /// The login profile asked for a new password: only the password page answers until then.
    var mustChangePassword: Bool?
}

struct Flash: Codable, Equatable, Sendable {
    var success: Bool
    var message: String
}

/// Sessions in the state store, their cookies and their CSRF tokens.
struct ConsoleSessions: Sendable {
    static let kind = "console.session"
    static let cookieName = "ct_console"
    /// The pre-sign-in token of the sign-in form (double-submit: cookie and hidden field).
    static let signInCookieName = "ct_signin"

    let store: any StateStore

    /// Stores a new session and returns its cookie value (32 random bytes, base64url).
    func create(_ credentials: ConsoleCredentials, region: String, now: Date) async throws -> (String, ConsoleSession) {
        let token = Self.randomToken()
        let session = ConsoleSession(
            credentials: credentials, csrfToken: Self.randomToken(), region: region, created: now,
            expires: credentials.expiration)
        let id = Self.id(of: token)
        _ = try await store.write { tx in try tx.put(session, kind: Self.kind, scope: "-", id: id) }
        return (token, session)
    }

    /// The live session a cookie names; an expired one is removed and answers nil.
    func find(_ token: String?, now: Date) async throws -> ConsoleSession? {
        guard let token, !token.isEmpty else { return nil }
        let id = Self.id(of: token)
        guard
            let session = try await store.read({ tx in
                try tx.get(ConsoleSession.self, kind: Self.kind, scope: "-", id: id)
            })
        else { return nil }
        guard now < session.expires else {
            try await end(token)
            return nil
        }
        return session
    }

    func update(_ token: String, _ session: ConsoleSession) async throws {
        let id = Self.id(of: token)
        _ = try await store.write { tx in try tx.put(session, kind: Self.kind, scope: "-", id: id) }
    }

    func end(_ token: String) async throws {
        let id = Self.id(of: token)
        _ = try await store.write { tx in try tx.delete(kind: Self.kind, scope: "-", id: id) }
    }

    /// The `Set-Cookie` value for a session: HttpOnly, SameSite=Strict, Secure over TLS, for
    /// the console's paths only; an empty token clears the cookie.
    static func cookie(_ name: String, _ token: String, secure: Bool, maxAge: Int?) -> String {
        var cookie = "\(name)=\(token); Path=/console; HttpOnly; SameSite=Strict"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        if secure { cookie += "; Secure" }
        return cookie
    }

    static func randomToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func id(of token: String) -> String {
        SigV4.sha256Hex(Array(token.utf8))
    }

    /// Compares a submitted CSRF token with the expected one in constant time.
    static func sameToken(_ submitted: String?, _ expected: String) -> Bool {
        guard let submitted, !expected.isEmpty else { return false }
        return SigV4.constantTimeEqual(Array(submitted.utf8), Array(expected.utf8))
    }
}

/// Repeated failed sign-ins from one address to one account wait longer and longer (on the
/// injected clock): after three failures, 1 s, then 2, 4, … up to 5 minutes. A success clears it.
final class SignInThrottle: Sendable {
    private struct Entry {
        var failures: Int
        var lockedUntil: Date
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// When the next attempt may be checked, or nil when it may be now.
    func blockedUntil(account: String, address: String, now: Date) -> Date? {
        entries.withLock { entries in
            guard let entry = entries["\(account)|\(address)"], entry.lockedUntil > now else { return nil }
            return entry.lockedUntil
        }
    }

    func failed(account: String, address: String, now: Date) {
        entries.withLock { entries in
            // Bounded: entries whose wait ended long ago are dropped once there are many.
            if entries.count >= 10_000 {
                entries = entries.filter { $0.value.lockedUntil > now.addingTimeInterval(-900) }
            }
            var entry = entries["\(account)|\(address)"] ?? Entry(failures: 0, lockedUntil: now)
            entry.failures += 1
            if entry.failures >= 3 {
                let wait = min(pow(2, Double(entry.failures - 3)), 300)
                entry.lockedUntil = now.addingTimeInterval(wait)
            }
            entries["\(account)|\(address)"] = entry
        }
    }

    func succeeded(account: String, address: String) {
        _ = entries.withLock { $0.removeValue(forKey: "\(account)|\(address)") }
    }
}
