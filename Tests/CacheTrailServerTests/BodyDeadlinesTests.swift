import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import CacheTrailServer

/// Body deadlines on the tests' own time: nothing here waits for a clock.
struct BodyDeadlinesTests {
    /// Yields until `deadlines` watches `count` bodies (each wait registers within a few hops).
    private func watched(_ deadlines: BodyDeadlines, _ count: Int) async -> Bool {
        for _ in 0..<10_000 {
            if deadlines.watched == count { return true }
            await Task.yield()
        }
        return false
    }

    @Test func aWaitEndsWithExpiredOnceItsDeadlineIsSweptPast() async throws {
        let deadlines = BodyDeadlines(timeout: .seconds(120))
        let waiting = Task { try await deadlines.wait() }
        #expect(await watched(deadlines, 1))
        // Swept before the deadline: still waiting.
        #expect(deadlines.sweep(now: .now + .seconds(60)))
        #expect(deadlines.watched == 1)
        #expect(!deadlines.sweep(now: .now + .seconds(121)))
        await #expect(throws: BodyDeadlines.Expired.self) { try await waiting.value }
        #expect(deadlines.watched == 0)
    }

    @Test func aCancelledWaitReturnsAndIsNoLongerWatched() async throws {
        let deadlines = BodyDeadlines(timeout: .seconds(120))
        let waiting = Task { try await deadlines.wait() }
        #expect(await watched(deadlines, 1))
        waiting.cancel()
        try await waiting.value
        #expect(deadlines.watched == 0)
        // A task cancelled before it waits returns at once, never watched.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await deadlines.wait()
        }
        try await early.value
        #expect(deadlines.watched == 0)
    }

    @Test func aBodyThatStopsArrivingTimesOutAndOneThatEndsIsRead() async throws {
        let deadlines = BodyDeadlines(timeout: .seconds(120))
        let head = HTTPRequest(method: .put, scheme: "http", authority: "localhost", path: "/b/k")

        let (stalled, stalledSource) = RequestBody.makeStream()
        await stalledSource.yield(ByteBuffer(string: "first part, then nothing"))
        let reading = Task {
            var request = Request(head: head, body: stalled)
            return try await CacheTrailResponder.body(of: &request, limit: 1 << 20, deadlines: deadlines, channel: nil)
        }
        #expect(await watched(deadlines, 1))
        deadlines.sweep(now: .now + .seconds(121))
        await #expect(throws: CacheTrailResponder.BodyTimeout.self) { try await reading.value }
        stalledSource.finish()

        let (whole, wholeSource) = RequestBody.makeStream()
        await wholeSource.yield(ByteBuffer(string: "all of "))
        await wholeSource.yield(ByteBuffer(string: "it"))
        wholeSource.finish()
        var request = Request(head: head, body: whole)
        let read = try await CacheTrailResponder.body(of: &request, limit: 1 << 20, deadlines: deadlines, channel: nil)
        #expect(read.map { String(decoding: $0, as: UTF8.self) } == "all of it")
        #expect(deadlines.watched == 0)
    }

    /// A declared length is one Content-Length that is a number; two (even equal) or none declare none.
    @Test func aDeclaredLengthIsOneNumber() {
        func declared(_ values: [String]) -> Int? {
            CacheTrailResponder.declaredLength(HTTPFields(values.map { HTTPField(name: .contentLength, value: $0) }))
        }
        #expect(declared(["42"]) == 42)
        #expect(declared([]) == nil)
        #expect(declared(["42", "42"]) == nil)
        #expect(declared(["forty"]) == nil)
    }
}
