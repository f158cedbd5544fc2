import AWSWire
import Foundation
import IAM
import Mustache
import Persistence
import ServiceContract
import Testing

@testable import Console

@Suite struct PasswordHashTests {
    @Test func matchesOnlyItsOwnPassword() throws {
        let hash = try PasswordHash(password: "Correct-Horse-9", cost: 1 << 10)
        #expect(hash.matches("Correct-Horse-9"))
        #expect(!hash.matches("correct-horse-9"))
        #expect(!hash.matches(""))
        // Salted: the same password hashes differently twice.
        #expect(try PasswordHash(password: "Correct-Horse-9", cost: 1 << 10).hash != hash.hash)
    }

    @Test func rulesFollowAWSDefaultPolicy() {
        #expect(PasswordRules.violation("Short1!", userName: "alice", account: "000000000000") != nil)
        #expect(PasswordRules.violation("alllowercase", userName: "alice", account: "000000000000") != nil)
        #expect(PasswordRules.violation("Lower-and-UPPER", userName: "alice", account: "000000000000") == nil)
        #expect(PasswordRules.violation("Alice1234", userName: "alice1234", account: "000000000000") != nil)
        for _ in 0..<20 {
            #expect(PasswordRules.violation(PasswordRules.generate(), userName: nil, account: "000000000000") == nil)
        }
    }
}

@Suite struct ConsoleSessionTests {
    private func credentials(expiring: Date) -> ConsoleCredentials {
        ConsoleCredentials(
            accessKeyId: "ASIATESTTESTTESTTEST", secretAccessKey: "secret", sessionToken: "token",
            expiration: expiring, principal: .root(account: "000000000000"))
    }

    @Test func sessionEndsAtItsExpiryOnTheInjectedClock() async throws {
        let store = try SQLiteStateStore(path: nil)
        let sessions = ConsoleSessions(store: store)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let (token, session) = try await sessions.create(
            credentials(expiring: start.addingTimeInterval(12 * 3600)), region: "us-east-1", now: start)
        #expect(try await sessions.find(token, now: start.addingTimeInterval(12 * 3600 - 1)) == session)
        #expect(try await sessions.find(token, now: start.addingTimeInterval(12 * 3600)) == nil)
        // Ended means removed: an earlier clock does not bring it back.
        #expect(try await sessions.find(token, now: start) == nil)
        #expect(try await sessions.find("not-a-token", now: start) == nil)
    }

    @Test func theStoreNeverHoldsTheCookie() async throws {
        let store = try SQLiteStateStore(path: nil)
        let sessions = ConsoleSessions(store: store)
        let now = Date()
        let (token, _) = try await sessions.create(
            credentials(expiring: now.addingTimeInterval(60)), region: "us-east-1", now: now)
        let ids = try await store.read { tx in try tx.list(ConsoleSession.self, kind: ConsoleSessions.kind, scope: "-")
        }
        #expect(ids.count == 1)
        #expect(
            try await store.read { tx in try tx.contains(kind: ConsoleSessions.kind, scope: "-", id: token) } == false)
        #expect(
            try await store.read { tx in
                try tx.contains(kind: ConsoleSessions.kind, scope: "-", id: ConsoleSessions.id(of: token))
            })
    }

    @Test func csrfTokensCompareWhole() {
        let token = ConsoleSessions.randomToken()
        #expect(token.count == 43)
        #expect(ConsoleSessions.sameToken(token, token))
        #expect(!ConsoleSessions.sameToken(String(token.dropLast()), token))
        #expect(!ConsoleSessions.sameToken(nil, token))
        #expect(!ConsoleSessions.sameToken("", ""))
    }

    @Test func cookiesAreHttpOnlyStrictAndSecureOverTLS() {
        let plain = ConsoleSessions.cookie("ct_console", "abc", secure: false, maxAge: nil)
        #expect(plain == "ct_console=abc; Path=/console; HttpOnly; SameSite=Strict")
        #expect(ConsoleSessions.cookie("ct_console", "abc", secure: true, maxAge: 0).hasSuffix("; Max-Age=0; Secure"))
    }

    @Test func failedSignInsWaitLongerAfterTheThird() {
        let throttle = SignInThrottle()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        throttle.failed(account: "1", address: "a", now: now)
        throttle.failed(account: "1", address: "a", now: now)
        #expect(throttle.blockedUntil(account: "1", address: "a", now: now) == nil)
        throttle.failed(account: "1", address: "a", now: now)
        #expect(throttle.blockedUntil(account: "1", address: "a", now: now) == now.addingTimeInterval(1))
        #expect(throttle.blockedUntil(account: "1", address: "b", now: now) == nil)
        throttle.failed(account: "1", address: "a", now: now)
        #expect(throttle.blockedUntil(account: "1", address: "a", now: now) == now.addingTimeInterval(2))
        #expect(throttle.blockedUntil(account: "1", address: "a", now: now.addingTimeInterval(2)) == nil)
        throttle.succeeded(account: "1", address: "a")
        throttle.failed(account: "1", address: "a", now: now)
        #expect(throttle.blockedUntil(account: "1", address: "a", now: now) == nil)
    }
}

@Suite struct EventExportTests {
    private func event(_ name: String, user: String, record: String) -> JSONValue {
        .object([
            "EventId": .string("id-\(name)"), "EventName": .string(name), "Username": .string(user),
            "EventTime": .number("1800000000"), "ReadOnly": .string("false"),
            "EventSource": .string("elasticache.amazonaws.com"), "CloudTrailEvent": .string(record),
            "Resources": .array([
                .object(["ResourceType": .string("AWS::ElastiCache::CacheCluster"), "ResourceName": .string("c1")])
            ]),
        ])
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let csv = EventExport.csv([
            event(
                "CreateCacheCluster", user: "=HYPERLINK(\"x\")",
                record: #"{"awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4"}"#)
        ])
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("Event ID,Event time,User name,Event name"))
        #expect(lines[1].contains(#""'=HYPERLINK(""x"")""#))
        #expect(lines[1].contains("2027-01-15T08:00:00Z"))
        #expect(lines[1].contains(",us-east-1,,1.2.3.4"))
        #expect(EventExport.cell("a,b") == "\"a,b\"")
        #expect(EventExport.cell("plain") == "plain")
    }

    @Test func jsonDownloadHoldsTheRecordsAsDelivered() throws {
        let json = EventExport.json([event("A", user: "u", record: #"{"eventName":"A"}"#)])
        #expect(json == #"{"Records":[{"eventName":"A"}]}"#)
        #expect(try JSONValue.parse(json)["Records"]?.items.count == 1)
    }

    @Test func prettyKeepsOrderAndStrings() {
        let pretty = EventExport.pretty(#"{"b":1,"a":{"s":"x,{y}: \"q\""}}"#)
        #expect(pretty == "{\n  \"b\": 1,\n  \"a\": {\n    \"s\": \"x,{y}: \\\"q\\\"\"\n  }\n}")
    }

    @Test func formDataRoundTrips() {
        let encoded = FormData.encode([("a b", "x&y=z"), ("é", "+")])
        #expect(FormData.decode(encoded) == ["a b": "x&y=z", "é": "+"])
        #expect(FormData.decode("q=a+b") == ["q": "a b"])
    }
}

/// The templates are parsed at the first page, not at start-up: a broken one must fail here.
@Suite struct ConsoleTemplatesTests {
    @Test func everyTemplateParsesAndRenders() throws {
        let library = try ConsoleTemplates.parse()
        for (name, _) in ConsoleTemplates.sources {
            #expect(library.render([String: Any](), withTemplate: name) != nil, "\(name)")
        }
    }
}
