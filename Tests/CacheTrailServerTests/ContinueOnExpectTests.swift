import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import CacheTrailServer

struct ContinueOnExpectTests {
    private func head(_ version: HTTPVersion = .http1_1, expect: String? = "100-continue") -> HTTPServerRequestPart {
        var headers = HTTPHeaders([("Host", "127.0.0.1")])
        if let expect { headers.add(name: "Expect", value: expect) }
        return .head(HTTPRequestHead(version: version, method: .PUT, uri: "/bucket/key", headers: headers))
    }

    private func proceed(_ channel: EmbeddedChannel) {
        channel.pipeline.triggerUserOutboundEvent(ContinueOnExpect.Proceed(), promise: nil)
    }

    private func answer(_ channel: EmbeddedChannel, _ status: HTTPResponseStatus = .ok) throws {
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
    }

    /// The interim statuses written so far.
    private func interim(_ channel: EmbeddedChannel) throws -> [HTTPResponseStatus] {
        var statuses: [HTTPResponseStatus] = []
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            if case .head(let head) = part, head.status.code < 200 { statuses.append(head.status) }
        }
        return statuses
    }

    @Test func anAdmittedRequestThatAskedIsToldToContinueOnce() throws {
        let channel = EmbeddedChannel(handler: ContinueOnExpect())
        try channel.writeInbound(head(expect: " 100-Continue"))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)  // the head still goes on
        #expect(try interim(channel) == [])  // not before the server wants the body
        proceed(channel)
        proceed(channel)
        #expect(try interim(channel) == [.continue])
        try answer(channel)
        #expect(try interim(channel) == [])
        #expect(try channel.finish().isClean)
    }

    @Test func aRefusedRequestGetsOnlyItsAnswer() throws {
        let channel = EmbeddedChannel(handler: ContinueOnExpect())
        try channel.writeInbound(head())
        try answer(channel, .forbidden)
        proceed(channel)  // a later event finds no request waiting
        #expect(try interim(channel) == [])
        _ = try channel.finish()
    }

    @Test func noContinueWithoutTheExpectationOrOverHTTP10() throws {
        let channel = EmbeddedChannel(handler: ContinueOnExpect())
        for request in [head(expect: nil), head(.http1_0), head(expect: "something-else")] {
            try channel.writeInbound(request)
            proceed(channel)
            try answer(channel)
        }
        #expect(try interim(channel) == [])
        _ = try channel.finish()
    }

    @Test func aPipelinedRequestIsToldWhenItsTurnComes() throws {
        let channel = EmbeddedChannel(handler: ContinueOnExpect())
        try channel.writeInbound(head(expect: nil))
        try channel.writeInbound(head())
        proceed(channel)  // for the first request, which did not ask
        #expect(try interim(channel) == [])
        try answer(channel)
        proceed(channel)
        #expect(try interim(channel) == [.continue])
        _ = try channel.finish()
    }
}
