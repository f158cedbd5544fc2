import Testing

@testable import CacheNodes

/// The sign-ins the IAM auth gate reads, and how it writes them back with a node password.
struct IAMAuthGateTests {
    private func command(_ words: [String]) -> RESPReply { .array(words.map { .bulk($0) }) }

    @Test func authAndHelloSignInsAreRead() throws {
        let auth = try #require(IAMAuthGate.signIn(command(["AUTH", "reporting", "host/?Action=connect"])))
        #expect(auth.0 == "reporting" && auth.1 == "host/?Action=connect")
        #expect(auth.2(["secret"]) == ["AUTH", "reporting", "secret"])
        let hello = try #require(
            IAMAuthGate.signIn(command(["HELLO", "3", "AUTH", "reporting", "token", "SETNAME", "app"])))
        #expect(hello.0 == "reporting" && hello.1 == "token")
        #expect(hello.2(["secret"]) == ["HELLO", "3", "AUTH", "reporting", "secret", "SETNAME", "app"])
        // The one-argument AUTH (the default user's password), other commands, a short HELLO: passed on.
        #expect(IAMAuthGate.signIn(command(["AUTH", "password"])) == nil)
        #expect(IAMAuthGate.signIn(command(["PING"])) == nil)
        #expect(IAMAuthGate.signIn(command(["HELLO", "3", "AUTH", "reporting"])) == nil)
        #expect(IAMAuthGate.signIn(.simple("AUTH")) == nil)
    }
}
