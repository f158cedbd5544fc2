import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import CacheTrailServer

/// Collects what a response body writes.
private final class WrittenPieces: @unchecked Sendable {
    var sizes: [Int] = []
    var bytes: [UInt8] = []
    var finished = false
}

private struct PieceCollector: ResponseBodyWriter {
    let written: WrittenPieces
    mutating func write(_ buffer: ByteBuffer) async throws {
        written.sizes.append(buffer.readableBytes)
        written.bytes += buffer.readableBytesView
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws { written.finished = true }
}

struct ResponsePiecesTests {
    @Test func aLargeBodyGoesOutInPiecesWholeAndInOrder() async throws {
        let bytes = (0..<(2 * CacheTrailResponder.piece + 5)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let body = CacheTrailResponder.responseBody(bytes)
        #expect(body.contentLength == bytes.count)
        let written = WrittenPieces()
        try await body.write(PieceCollector(written: written))
        #expect(written.sizes == [CacheTrailResponder.piece, CacheTrailResponder.piece, 5])
        #expect(written.bytes == bytes)
        #expect(written.finished)

        let small = CacheTrailResponder.responseBody([1, 2, 3])
        let one = WrittenPieces()
        try await small.write(PieceCollector(written: one))
        #expect(one.sizes == [3] && one.bytes == [1, 2, 3])
    }
}
