import Testing

@testable import CacheNodes

/// The pure parts of talking to Redis Cluster nodes: RESP replies, CLUSTER NODES lines, slot ranges.
struct ClusterProtocolTests {
    @Test func respRepliesParseWholeOrWaitForMore() throws {
        let bytes = Array("*3\r\n$5\r\nslave\r\n:42\r\n$-1\r\n+OK\r\n".utf8)
        let (reply, used) = try #require(RESPReply.parse(bytes[...]))
        #expect(reply == .array([.bulk("slave"), .integer(42), .bulk(nil)]))
        #expect(RESPReply.parse(bytes[used...])?.0 == .simple("OK"))
        // A bulk string cut short is not a reply yet.
        #expect(RESPReply.parse(Array("$10\r\nhello".utf8)[...]) == nil)
        #expect(
            RESPReply.parse(Array("-CLUSTERDOWN The cluster is down\r\n".utf8)[...])?.0
                == .error("CLUSTERDOWN The cluster is down"))
    }

    @Test func clusterNodesLinesGiveRolesAndSlots() {
        let text = """
            aff95 127.0.0.1:23000@33000 myself,master - 0 1796022966000 2 connected 0-5460 7000 [5461->-e9169]
            2ac2f 127.0.0.1:23001@33001 slave aff95 0 1796022966757 3 connected

            """
        let lines = ClusterNodeLine.parse(text)
        #expect(lines.count == 2)
        #expect(lines[0].id == "aff95" && !lines[0].isReplica && lines[0].master == nil)
        // A slot being migrated away (`[…->-…]`) is not counted as held.
        #expect(lines[0].slots == [0...5460, 7000...7000])
        #expect(lines[1].isReplica && lines[1].master == "aff95" && lines[1].slots.isEmpty)
    }

    @Test func slotRangesReadAndWriteElastiCachesForm() throws {
        let ranges = try #require(SlotRanges("8192-16383,0-2730"))
        #expect(ranges.description == "0-2730,8192-16383")
        #expect(ranges.arguments == ["0", "2730", "8192", "16383"])
        #expect(SlotRanges("0-x") == nil && SlotRanges("9-3") == nil)
    }
}
