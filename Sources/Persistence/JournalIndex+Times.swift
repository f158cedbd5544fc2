import Foundation
import GRDB

/// When the indexed events happened, by block of positions: a lookup's time range becomes a range
/// of journal positions before it walks. Event times follow positions only roughly (a call's
/// time is taken before its commit, and a killed server's read events commit at the next start),
/// so each block row keeps its management events' earliest and latest time, and the latest time
/// of any block up to it (`running_max`, which never decreases along the blocks). Blocks after
/// the newest one whose earliest time is at most the range's end hold nothing before that end;
/// blocks before the oldest one whose running maximum reaches the range's start hold nothing
/// after that start. Blocks without management events have no row. The walk between the two
/// still checks each event's time.
extension JournalIndex {
    /// A batch's blocks and the earliest and latest event time in each.
    struct BlockTimes {
        private var spans: [Int64: (earliest: Double, latest: Double)] = [:]

        mutating func insert(_ seq: Int64, time: Double) {
            let block = seq >> JournalIndex.blockShift
            if let span = spans[block] {
                spans[block] = (Swift.min(span.earliest, time), Swift.max(span.latest, time))
            } else {
                spans[block] = (time, time)
            }
        }

        private static let priorRunningMax =
            "SELECT running_max FROM idx.block_times WHERE block <= ? ORDER BY block DESC LIMIT 1"
        /// A block that an earlier batch began widens its times.
        private static let mergeTimes = """
            INSERT INTO idx.block_times (block, min_time, max_time, running_max) VALUES (?, ?, ?, ?)
                ON CONFLICT (block) DO UPDATE SET min_time = min(min_time, excluded.min_time),
                    max_time = max(max_time, excluded.max_time), running_max = max(running_max, excluded.running_max)
                -- direct
            """

        /// Writes the batch's blocks in position order, carrying the running maximum from the
        /// block rows before them. A batch begins after the last one ended, so every block after
        /// its first is new.
        func write(in db: Database) throws {
            let blocks = spans.sorted { $0.key < $1.key }
            guard let first = blocks.first?.key else { return }
            var running = try Double.fetchOne(db.cachedStatement(sql: Self.priorRunningMax), arguments: [first]) ?? 0
            let merge = try db.cachedStatement(sql: Self.mergeTimes)
            for (block, span) in blocks {
                running = Swift.max(running, span.latest)
                try merge.runOnce { bind in
                    bind.integer(block)
                    bind.real(span.earliest)
                    bind.real(span.latest)
                    bind.real(running)
                }
            }
        }
    }

    /// The indexed positions, at most `upTo`, that may hold management events from `start` to
    /// `end` (either open); nil when none can.
    static func positions(from start: Date?, to end: Date?, upTo: Int64, in db: Database) throws
        -> ClosedRange<Int64>?
    {
        guard upTo > 0 else { return nil }
        var lowest: Int64 = 1
        var highest = upTo
        if let end {
            let block = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT block FROM idx.block_times WHERE block <= ? AND min_time <= ?
                        ORDER BY block DESC LIMIT 1
                        """),
                arguments: [upTo >> blockShift, end.timeIntervalSince1970])
            guard let block else { return nil }
            highest = min(highest, (block + 1) << blockShift - 1)
        }
        if let start {
            let block = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT block FROM idx.block_times WHERE running_max >= ?
                        ORDER BY running_max, block LIMIT 1
                        """),
                arguments: [start.timeIntervalSince1970])
            guard let block else { return nil }
            lowest = max(lowest, block << blockShift)
        }
        return lowest <= highest ? lowest...highest : nil
    }
}
