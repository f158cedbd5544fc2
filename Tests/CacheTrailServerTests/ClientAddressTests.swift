import Testing

@testable import CacheTrailServer

struct ClientAddressTests {
    @Test func forwardedForCountsOnlyFromTrustedProxies() throws {
        let resolver = try ClientAddress(trustedProxies: ["10.0.0.0/8", "::1"])
        #expect(resolver.resolve(peer: "192.0.2.7", forwardedFor: "198.51.100.1") == "192.0.2.7")
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: "198.51.100.1") == "198.51.100.1")
        #expect(
            resolver.resolve(peer: "10.1.2.3", forwardedFor: "203.0.113.9, 198.51.100.1, 10.9.9.9") == "198.51.100.1")
        #expect(resolver.resolve(peer: "::1", forwardedFor: "2001:db8::5") == "2001:db8::5")
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: nil) == "10.1.2.3")
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: "not-an-ip") == "10.1.2.3")
        #expect(throws: ClientAddressError.self) { try ClientAddress(trustedProxies: ["10.0.0.0/40"]) }
    }
}
