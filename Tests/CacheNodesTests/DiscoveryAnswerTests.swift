import Testing

@testable import CacheNodes

/// The configuration endpoint's answer, byte for byte as ElastiCache's auto-discovery sends it.
struct DiscoveryAnswerTests {
    @Test func configGetClusterCountsTheBodyBytes() {
        let answer = DiscoveryEndpoint.answer(
            version: 12, nodes: [(host: "127.0.0.1", port: 21000), (host: "127.0.0.1", port: 21001)], legacy: false)
        let body = "12\n127.0.0.1|127.0.0.1|21000 127.0.0.1|127.0.0.1|21001\n"
        #expect(answer == "CONFIG cluster 0 \(body.utf8.count)\r\n\(body)\r\nEND\r\n")
    }

    @Test func theLegacyKeyAnswersAsAValue() {
        let answer = DiscoveryEndpoint.answer(version: 1, nodes: [(host: "10.0.0.1", port: 11211)], legacy: true)
        #expect(answer == "VALUE AmazonElastiCache:cluster 0 26\r\n1\n10.0.0.1|10.0.0.1|11211\n\r\nEND\r\n")
    }
}
