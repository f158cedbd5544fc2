import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#else
    import SQLite3
#endif

/// How a batch of events is keyed. An event id's ordered key (``AttributeKey``) is one row of
/// `idx.id_keys` an event, appended at the table's right edge. Every hashed key — a name, user,
/// source, access key, resource or read-only flag, repeated across many events — is one row of
/// `idx.value_blocks` for each block of ``blockSize`` journal positions it occurs in, with a
/// bit for each of those positions (`b0`…`b3`, 64 positions each). A batch of Describes by one
/// user touched six B-tree rows an event; it now touches one, and six a block.
extension JournalIndex {
    /// Journal positions a block row covers: block `seq >> blockShift`, bit `seq & 255`.
    static let blockShift = 8
    static let blockSize: Int64 = 1 << blockShift

    /// A block row's bits, a word for each 64 positions.
    struct BlockBits {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        mutating func insert(_ seq: Int64) {
            let bit = UInt64(1) << UInt64(seq & 63)
            switch (seq & (JournalIndex.blockSize - 1)) >> 6 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }

        /// The positions set in either.
        func union(_ other: BlockBits) -> BlockBits {
            BlockBits(
                words: (
                    words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2,
                    words.3 | other.words.3
                ))
        }

        /// The oldest through the newest position of `block` that is set; nil when none is.
        func span(inBlock block: Int64) -> ClosedRange<Int64>? {
            let quarters = [words.0, words.1, words.2, words.3]
            guard let low = quarters.firstIndex(where: { $0 != 0 }),
                let high = quarters.lastIndex(where: { $0 != 0 })
            else { return nil }
            let base = block << JournalIndex.blockShift
            return
                (base + Int64(low * 64 + quarters[low].trailingZeroBitCount))...(base
                + Int64(high * 64 + 63 - quarters[high].leadingZeroBitCount))
        }

        /// The positions of `block` that are set, newest first.
        func positions(inBlock block: Int64) -> [Int64] {
            var found: [Int64] = []
            for (quarter, word) in [(3, words.3), (2, words.2), (1, words.1), (0, words.0)] where word != 0 {
                let base = block << JournalIndex.blockShift + Int64(quarter) * 64
                var rest = word
                while rest != 0 {
                    let bit = 63 - rest.leadingZeroBitCount
                    found.append(base + Int64(bit))
                    rest &= ~(UInt64(1) << UInt64(bit))
                }
            }
            return found
        }
    }

    private struct BlockKey: Hashable, Comparable {
        let key: Int64
        let block: Int64

        static func < (lhs: BlockKey, rhs: BlockKey) -> Bool { (lhs.key, lhs.block) < (rhs.key, rhs.block) }
    }

    /// The management events in positions (`after`, `upTo`], read once (their records stay unread).
    private static let batchRows: String = {
        let columns = attributes.map(\.0.rawValue).joined(separator: ", ")
        return
            "SELECT seq, account, region, event_time, \(columns) FROM main.events WHERE seq > ? AND seq <= ? AND management = 1"
    }()

    private static let insertIdKey = "INSERT OR IGNORE INTO idx.id_keys (key, seq) VALUES (?, ?) -- direct"
    /// A block that an earlier batch began gains this batch's bits.
    private static let mergeBlock = """
        INSERT INTO idx.value_blocks (key, block, b0, b1, b2, b3) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key, block) DO UPDATE SET b0 = b0 | excluded.b0, b1 = b1 | excluded.b1,
                b2 = b2 | excluded.b2, b3 = b3 | excluded.b3 -- direct
        """

    /// Keys the events in positions (`after`, `upTo`] in `db`'s transaction. Values are hashed
    /// where SQLite keeps the row's bytes; the batch's block rows are gathered first and written
    /// once each, in key order: each B-tree leaf is then visited once while the rows on it are
    /// written, where the dictionary's order came back to leaves its cache had let go (catching up
    /// 1M events took 33–39 s, 23–28 in order).
    static func key(after: Int64, upTo: Int64, in db: Database) throws {
        var ids: [(key: Int64, seq: Int64)] = []
        var blocks: [BlockKey: BlockBits] = [:]
        var times = BlockTimes()
        try db.cachedStatement(sql: batchRows).eachRow(after, upTo) { row in
            let seq = sqlite3_column_int64(row, 0)
            guard let account = text(row, 1), let region = text(row, 2) else { return }
            times.insert(seq, time: sqlite3_column_double(row, 3))
            for (offset, (_, code)) in attributes.enumerated() {
                guard let value = text(row, Int32(4 + offset)) else { continue }
                let key = AttributeKey.key(account: account, region: region, attribute: code, value: value)
                if key >= 0 {
                    ids.append((key, seq))
                } else {
                    blocks[BlockKey(key: key, block: seq >> blockShift), default: BlockBits()].insert(seq)
                }
            }
        }
        let insertId = try db.cachedStatement(sql: insertIdKey)
        for (key, seq) in ids {
            try insertId.runOnce { bind in
                bind.integer(key)
                bind.integer(seq)
            }
        }
        let merge = try db.cachedStatement(sql: mergeBlock)
        for (place, bits) in blocks.sorted(by: { $0.key < $1.key }) {
            try merge.runOnce { bind in
                bind.integer(place.key)
                bind.integer(place.block)
                bind.integer(Int64(bitPattern: bits.words.0))
                bind.integer(Int64(bitPattern: bits.words.1))
                bind.integer(Int64(bitPattern: bits.words.2))
                bind.integer(Int64(bitPattern: bits.words.3))
            }
        }
        try times.write(in: db)
    }

    /// A text column of the current row as the bytes SQLite holds (valid until the next step);
    /// nil for NULL.
    private static func text(_ row: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer? {
        // The bytes' length is asked after the text, as SQLite's documentation says.
        guard let text = sqlite3_column_text(row, column) else { return nil }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(row, column)))
    }

    /// The positions, at most `upTo`, of the events keyed by `key` (values that share it among
    /// them: the caller checks each event), newest first, handed to `visit` until it answers false.
    static func positions(
        key: Int64, upTo: Int64, in db: Database, _ visit: (Int64) throws -> Bool
    ) throws {
        guard upTo > 0 else { return }
        if key >= 0 {
            let rows = try Int64.fetchCursor(
                db.cachedStatement(sql: "SELECT seq FROM idx.id_keys WHERE key = ? AND seq <= ? ORDER BY seq DESC"),
                arguments: [key, upTo])
            while let seq = try rows.next() {
                guard try visit(seq) else { return }
            }
            return
        }
        try blocks(keys: [key], upTo: upTo, in: db) { block, bits in
            for seq in bits.positions(inBlock: block) where seq <= upTo {
                guard try visit(seq) else { return false }
            }
            return true
        }
    }

    /// The blocks, at most `upTo`'s, holding events keyed by any of the value keys `keys`, with
    /// the bits of all of them, newest first, handed to `visit` until it answers false. SQLite
    /// merges the keys' ordered searches (no sort), so a block's rows arrive together.
    static func blocks(
        keys: [Int64], upTo: Int64, in db: Database, _ visit: (Int64, BlockBits) throws -> Bool
    ) throws {
        guard upTo > 0, !keys.isEmpty else { return }
        let search = "SELECT block, b0, b1, b2, b3 FROM idx.value_blocks WHERE key = ? AND block <= ?"
        let sql = Array(repeating: search, count: keys.count).joined(separator: " UNION ALL ") + " ORDER BY block DESC"
        var arguments = StatementArguments()
        for key in keys { _ = arguments.append(contentsOf: [key, upTo >> blockShift]) }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        var gathered: (block: Int64, bits: BlockBits)?
        while let row = try rows.next() {
            let block: Int64 = row[0]
            let bits = BlockBits(
                words: (
                    UInt64(bitPattern: row[1]), UInt64(bitPattern: row[2]), UInt64(bitPattern: row[3]),
                    UInt64(bitPattern: row[4])
                ))
            if let current = gathered {
                if current.block == block {
                    gathered = (block, current.bits.union(bits))
                    continue
                }
                guard try visit(current.block, current.bits) else { return }
            }
            gathered = (block, bits)
        }
        if let last = gathered { _ = try visit(last.block, last.bits) }
    }
}
