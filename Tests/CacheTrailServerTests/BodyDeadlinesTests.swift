import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
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

    @Test func aWatchExpiresOnceItsDeadlineIsSweptPast() {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let deadlines = BodyDeadlines(timeout: 120, clock: clock)
        let expired = Mutex(0)
        let watch = deadlines.watch { expired.withLock { $0 += 1 } }
        // Swept before the deadline: still watched.
        clock.advance(by: 60)
        #expect(deadlines.sweep())
        #expect(deadlines.watched == 1)
        clock.advance(by: 61)
        #expect(!deadlines.sweep())
        #expect(expired.withLock { $0 } == 1)
        // Expired once only, and its reader is told.
        #expect(!deadlines.sweep())
        #expect(expired.withLock { $0 } == 1)
        #expect(!deadlines.end(watch))
        #expect(deadlines.watched == 0)
    }

    @Test func aWatchEndedInTimeIsNeverExpired() {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let deadlines = BodyDeadlines(timeout: 120, clock: clock)
        let expired = Mutex(0)
        let early = deadlines.watch { expired.withLock { $0 += 1 } }
        let later = deadlines.watch { expired.withLock { $0 += 10 } }
        #expect(deadlines.end(early))
        #expect(deadlines.watched == 1)
        clock.advance(by: 121)
        deadlines.sweep()
        #expect(expired.withLock { $0 } == 10)
        #expect(!deadlines.end(later))
    }

    @Test func aBodyThatStopsArrivingTimesOutAndOneThatEndsIsRead() async throws {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let deadlines = BodyDeadlines(timeout: 120, clock: clock)
        let head = HTTPRequest(method: .put, scheme: "http", authority: "localhost", path: "/b/k")

        // Expiry ends the stalled stream with an error, as the HTTP decoder does when the
        // connection's input is closed mid-body.
        let (stalled, stalledSource) = RequestBody.makeStream()
        await stalledSource.yield(ByteBuffer(string: "first part, then nothing"))
        let reading = Task {
            var request = Request(head: head, body: stalled)
            return try await CacheTrailResponder.body(
                of: &request, limit: 1 << 20, deadlines: deadlines, channel: nil,
                expire: { stalledSource.finish(StalledInput()) })
        }
        #expect(await watched(deadlines, 1))
        clock.advance(by: 121)
        deadlines.sweep()
        await #expect(throws: CacheTrailResponder.BodyTimeout.self) { try await reading.value }
        #expect(deadlines.watched == 0)

        // A client that goes away before the deadline gets no timeout (and no answer is read).
        let (gone, goneSource) = RequestBody.makeStream()
        await goneSource.yield(ByteBuffer(string: "part"))
        goneSource.finish(StalledInput())
        var goneRequest = Request(head: head, body: gone)
        let partial = try await CacheTrailResponder.body(
            of: &goneRequest, limit: 1 << 20, deadlines: deadlines, channel: nil, expire: {})
        #expect(partial == nil)

        let (whole, wholeSource) = RequestBody.makeStream()
        await wholeSource.yield(ByteBuffer(string: "all of "))
        await wholeSource.yield(ByteBuffer(string: "it"))
        wholeSource.finish()
        var request = Request(head: head, body: whole)
        let read = try await CacheTrailResponder.body(
            of: &request, limit: 1 << 20, deadlines: deadlines, channel: nil, expire: {})
        #expect(read.map { String(decoding: $0, as: UTF8.self) } == "all of it")
        #expect(deadlines.watched == 0)
    }

    private struct StalledInput: Error {}

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
