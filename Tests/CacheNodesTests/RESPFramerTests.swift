import Testing

@testable import CacheNodes

struct RESPFramerTests {
    private func resp(_ words: [String]) -> [UInt8] {
        Array(("*\(words.count)\r\n" + words.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()).utf8)
    }

    /// Feeds `stream` in reads of `chunk` bytes, as a gate does: each unit's bytes leave, the
    /// rest waits for the next read. Returns the units and where sign-ins started.
    private func frame(_ stream: [UInt8], chunk: Int, signIns: Bool = true) -> (
        commands: Int, signIns: [Int], passed: Int
    ) {
        var framer = RESPFramer()
        var pending: [UInt8] = []
        var offset = 0
        var consumed = 0
        var commands = 0
        var found: [Int] = []
        while offset < stream.count {
            pending += stream[offset..<min(offset + chunk, stream.count)]
            offset += chunk
            while !pending.isEmpty {
                let unit = pending.withUnsafeBytes { framer.next($0, signIns: signIns) }
                if case .pass(let length, let started) = unit {
                    pending.removeFirst(length)
                    consumed += length
                    commands += started
                } else if case .signIn = unit {
                    // The gate takes the whole sign-in once it has arrived.
                    let whole = resp(["AUTH", "user", "token"]).count
                    guard pending.count >= whole else { break }
                    found.append(consumed)
                    pending.removeFirst(whole)
                    consumed += whole
                    commands += 1
                } else {
                    break
                }
            }
        }
        return (commands, found, consumed)
    }

    @Test func pipelinedCommandsPassAsTheyArriveAndAreCounted() {
        let stream = resp(["SET", "k", "v"]) + resp(["GET", "k"]) + Array("PING\r\n".utf8) + resp(["INCR", "n"])
        for chunk in [1, 2, 7, stream.count] {
            let result = frame(stream, chunk: chunk)
            #expect(result.commands == 4, "chunk \(chunk)")
            #expect(result.passed == stream.count)
            #expect(result.signIns.isEmpty)
        }
    }

    @Test func aSignInAnywhereStopsTheRunBeforeIt() {
        let before = resp(["SET", "k", "v"]) + resp(["GET", "k"])
        let stream = before + resp(["AUTH", "user", "token"]) + resp(["GET", "k"])
        for chunk in [1, 3, 16, stream.count] {
            let result = frame(stream, chunk: chunk)
            #expect(result.signIns == [before.count], "chunk \(chunk)")
            #expect(result.commands == 4)
            #expect(result.passed == stream.count)
        }
        // Without watching sign-ins, AUTH is a command like any other.
        #expect(frame(stream, chunk: 5, signIns: false).signIns.isEmpty)
    }

    @Test func namesAreMatchedWithoutRegardToCase() {
        for name in ["auth", "Auth", "hello", "HELLO"] {
            var framer = RESPFramer()
            let unit = resp([name, "x", "y"]).withUnsafeBytes { framer.next($0, signIns: true) }
            #expect(unit == .signIn)
        }
        var framer = RESPFramer()
        #expect(Array("auth user token\r\n".utf8).withUnsafeBytes { framer.next($0, signIns: true) } == .signIn)
        for other in ["AUTHX", "HELL", "GET"] {
            var framer = RESPFramer()
            let unit = resp([other, "x"]).withUnsafeBytes { framer.next($0, signIns: true) }
            #expect(unit == .pass(length: resp([other, "x"]).count, commands: 1))
        }
    }

    @Test func aLargeValuePassesPieceByPieceWithoutBeingHeld() {
        let value = String(repeating: "v", count: 100_000)
        let stream = resp(["SET", "big", value])
        var framer = RESPFramer()
        var passed = 0
        var offset = 0
        while offset < stream.count {
            var pending = Array(stream[offset..<min(offset + 1024, stream.count)])
            offset += 1024
            while !pending.isEmpty,
                case .pass(let length, _) = pending.withUnsafeBytes({ framer.next($0, signIns: true) })
            {
                pending.removeFirst(length)
                passed += length
            }
            #expect(pending.isEmpty, "nothing of the value is held back")
        }
        #expect(passed == stream.count)
    }

    @Test func whatIsNotTheProtocolPassesFromThenOn() {
        var framer = RESPFramer()
        let garbage = Array("*x\r\n".utf8) + resp(["AUTH", "a", "b"])
        #expect(garbage.withUnsafeBytes { framer.next($0, signIns: true) } == .pass(length: garbage.count, commands: 0))
        #expect(framer.lost)
        #expect(resp(["AUTH", "a", "b"]).withUnsafeBytes { framer.next($0, signIns: true) } != .signIn)
    }

    @Test func anIncompleteHeaderWaits() {
        var framer = RESPFramer()
        #expect(Array("*3\r".utf8).withUnsafeBytes { framer.next($0, signIns: true) } == .more)
        #expect(Array("*3\r\n$4\r\nAU".utf8).withUnsafeBytes { framer.next($0, signIns: true) } == .more)
        #expect(!framer.lost)
    }

    @Test func memcachedStorageCommandsCountOnceWithTheirDataBlocks() {
        let stream = Array(
            ("set k 0 0 11\r\nget k\r\nxx\r\n\r\nincr n 1\r\nms m 3 T0\r\nabc\r\nmg m v\r\ncas k 0 0 1 7\r\n\n\r\n"
                + "get a b c\r\n").utf8)
        for chunk in [1, 5, stream.count] {
            var framer = MemcachedFramer()
            var pending: [UInt8] = []
            var commands = 0
            var passed = 0
            var offset = 0
            while offset < stream.count {
                pending += stream[offset..<min(offset + chunk, stream.count)]
                offset += chunk
                while !pending.isEmpty,
                    case .pass(let length, let started) = pending.withUnsafeBytes({ framer.next($0) })
                {
                    pending.removeFirst(length)
                    passed += length
                    commands += started
                }
            }
            // set (its 11-byte block holds what looks like commands), incr, ms, mg, cas, get.
            #expect(commands == 6, "chunk \(chunk)")
            #expect(passed == stream.count)
        }
        var binary = MemcachedFramer()
        #expect([UInt8]([0x80, 0x00, 0x01]).withUnsafeBytes { binary.next($0) } == .pass(length: 3, commands: 0))
        #expect(binary.lost)
    }
}
