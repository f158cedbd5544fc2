import AWSWire
import Crypto
import Foundation
import Persistence
import ServiceContract
import SigV4
import Synchronization

/// Turns a trail's journal backlog into log files: batches per region, cut when the oldest
/// event has waited `interval` or the batch reaches `maxFileBytes`, written as one gzip
/// member `{"Records":[…]}` under AWS's key layout. The cursor advances in the same
/// transaction as the object is stored, so every event lands in exactly one file.
package struct TrailDelivery: Sendable {
    /// The principal CloudTrail writes files and publishes notifications as.
    package static let service = "cloudtrail.amazonaws.com"

    package var interval: TimeInterval
    /// Uncompressed bytes of records in one file (keeps files far below AWS's 50 MB compressed).
    package var maxFileBytes: Int
    /// Buckets, topics and sealing, as the server wired them.
    let ports: TrailPorts
    /// Where buckets that the embedded store does not hold live, if anywhere.
    package var external: ExternalBucket?

    package init(
        interval: TimeInterval = 300, maxFileBytes: Int = 50 << 20, ports: TrailPorts, external: ExternalBucket? = nil
    ) {
        self.interval = interval
        self.maxFileBytes = maxFileBytes
        self.ports = ports
        self.external = external
    }

    /// Whether `trail` delivers to the external endpoint: its bucket is not an embedded one.
    func deliversExternally(_ trail: TrailRecord, in tx: any StateReader) throws -> Bool {
        guard external != nil else { return false }
        return try !ports.logFiles.holds(bucket: trail.bucket, in: tx)
    }

    /// How many journal entries one pass reads per region.
    static let readLimit = 5_000
    /// Files one pass writes per trail and region (unless flushing), so that a backlog drains
    /// over several short transactions instead of one that holds every other write back.
    static let filesPerPass = 4

    /// Delivers what is due for `trail` (everything captured, when `flush`); returns the keys
    /// written. A failed write is recorded in the trail's status and retried on the next pass.
    package func deliver(_ trail: inout TrailRecord, now: Date, flush: Bool, in tx: any StateWriter) throws -> [String]
    {
        let external = try deliversExternally(trail, in: tx)
        let keys = try cut(&trail, now: now, flush: flush, external: external, in: tx)
        // Files for an external bucket are announced once stored there (see `uploadPending`).
        if !external { try notify(&trail, keys: keys, now: now, in: tx) }
        return keys
    }

    /// A file cut from the journal, compressed and stored together with the others of its group.
    private struct PlannedFile {
        var key: String
        var entries: [JournalEntry]
        /// The region's cursor once the file is stored (may pass events the selectors skip).
        var end: Int64
    }

    /// Writes (embedded bucket) or queues (external) the files that are due; returns their keys.
    private func cut(_ trail: inout TrailRecord, now: Date, flush: Bool, external: Bool, in tx: any StateWriter)
        throws -> [String]
    {
        let selectors = EventSelectors(trail: trail)
        var keys: [String] = []
        let floor = trail.cursors.values.min().map { min($0, trail.startPosition) } ?? trail.startPosition
        let regions = trail.isMultiRegion ? try tx.regions(account: trail.account, after: floor) : [trail.homeRegion]
        for region in regions.sorted() {
            var cursor = max(trail.cursors[region] ?? trail.startPosition, trail.startPosition)
            // Files still waiting for an external endpoint count against the pass's share, so an
            // outage leaves events in the journal instead of growing the trail's outbox.
            var files = external ? (trail.outbox ?? []).filter { $0.region == region }.count : 0
            // Embedded files wait here to be compressed side by side, then stored in order.
            var planned: [PlannedFile] = []
            while flush || files < Self.filesPerPass {
                let pending = try tx.pending(
                    account: trail.account, region: region, after: cursor, upTo: trail.stopPosition,
                    limit: Self.readLimit)
                guard let last = pending.last else { break }
                var batch: [(position: Int64, entry: JournalEntry)] = []
                var bytes = 0
                var cutAt: Int64?
                for item in pending {
                    guard selectors.matches(item.entry, trail: trail) else { continue }
                    batch.append(item)
                    bytes += item.entry.record.utf8.count + 1
                    if bytes >= maxFileBytes {
                        cutAt = item.position
                        break
                    }
                }
                if batch.isEmpty {
                    cursor = last.position
                    // Skipped events move the cursor with the file before them, or at once.
                    if planned.isEmpty {
                        trail.cursors[region] = cursor
                    } else {
                        planned[planned.count - 1].end = cursor
                    }
                    if pending.count < Self.readLimit { break }
                    continue
                }
                let due =
                    flush || cutAt != nil
                    || (batch.first.map { $0.entry.eventTime.addingTimeInterval(interval) <= now } ?? false)
                guard due else { break }
                let end =
                    cutAt ?? (pending.count < Self.readLimit ? last.position : batch.last?.position ?? last.position)
                let key = Self.key(trail: trail, region: region, batch: batch)
                if external {
                    trail.outbox =
                        (trail.outbox ?? []) + [
                            TrailRecord.PendingFile(region: region, key: key, after: cursor, end: end)
                        ]
                    keys.append(key)
                    trail.cursors[region] = end
                } else {
                    planned.append(PlannedFile(key: key, entries: batch.map(\.entry), end: end))
                    if planned.count == Self.filesPerPass {
                        guard try store(&planned, region: region, trail: &trail, keys: &keys, now: now, in: tx) else {
                            return keys
                        }
                    }
                }
                files += 1
                cursor = end
            }
            guard try store(&planned, region: region, trail: &trail, keys: &keys, now: now, in: tx) else {
                return keys
            }
        }
        return keys
    }

    /// Compresses `planned` side by side, then stores the files in order, each moving the
    /// region's cursor; false (and nothing after the failed one stored) if a write failed.
    private func store(
        _ planned: inout [PlannedFile], region: String, trail: inout TrailRecord, keys: inout [String], now: Date,
        in tx: any StateWriter
    ) throws -> Bool {
        defer { planned = [] }
        let bodies = try Self.files(planned.map(\.entries))
        for (file, body) in zip(planned, bodies) {
            guard try write(body.gzip, key: file.key, trail: &trail, now: now, in: tx) else { return false }
            keys.append(file.key)
            trail.cursors[region] = file.end
            TrailDigests.record(
                &trail, region: region, key: file.key, hash: body.sha256, entries: file.entries, now: now)
        }
        return true
    }

    /// The bytes of several log files, compressed side by side on as many cores as bulk work may
    /// use (gzip is most of a file's cost, and the files are independent), never on the
    /// cooperative pool.
    static func files(_ batches: [[JournalEntry]]) throws -> [LogFileBytes] {
        let empty = LogFileBytes(gzip: [], sha256: "")
        let results = Mutex([Result<LogFileBytes, any Error>](repeating: .success(empty), count: batches.count))
        SideBySide.perform(batches.count) { index in
            let result = Result { try file(batches[index]) }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { $0 }.map { try $0.get() }
    }

    /// Stores one file's bytes; false (with the error in the trail's status) if the bucket refused.
    private func write(_ body: [UInt8], key: String, trail: inout TrailRecord, now: Date, in tx: any StateWriter)
        throws -> Bool
    {
        trail.latestDeliveryAttemptTime = now
        do {
            try ports.logFiles.put(
                LogFile(
                    bucket: trail.bucket, key: key, bytes: body, contentType: "application/json",
                    contentEncoding: "gzip", account: trail.account, sourceArn: trail.arn, kmsKeyId: trail.kmsKeyId,
                    time: now),
                in: tx)
        } catch let error as AWSError {
            trail.latestDeliveryError = error.code
            return false
        }
        trail.latestDeliveryError = nil
        trail.latestDeliveryTime = now
        trail.latestDeliveryAttemptSucceeded = now
        return true
    }

    /// A log file as stored, and the SHA-256 of its uncompressed JSON (what a digest lists).
    struct LogFileBytes: Equatable {
        var gzip: [UInt8]
        var sha256: String
    }

    /// A log file's bytes: `{"Records":[…]}` as one gzip member.
    static func file(_ entries: [JournalEntry]) throws -> LogFileBytes {
        // Assembled as bytes in one buffer: a joined String would be copied once more.
        var json: [UInt8] = []
        json.reserveCapacity(entries.reduce(16) { $0 + $1.record.utf8.count + 1 })
        json.append(contentsOf: #"{"Records":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: entry.record.utf8)
        }
        json.append(contentsOf: "]}".utf8)
        return LogFileBytes(gzip: try Gzip.compress(json), sha256: SigV4.sha256Hex(json))
    }

    /// Digest files of trails with log file validation, written through the same bucket checks.
    var digests: TrailDigests { TrailDigests(ports: ports) }

    /// `[prefix/]AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`,
    /// timed by the batch's newest event and made unique by the batch's identity, so a retried
    /// batch lands on the same key.
    static func key(trail: TrailRecord, region: String, batch: [(position: Int64, entry: JournalEntry)]) -> String {
        let time = KeyTime(batch.last?.entry.eventTime ?? Date(timeIntervalSince1970: 0))
        let identity = "\(trail.arn)|\(region)|\(batch.first?.position ?? 0)|\(batch.last?.position ?? 0)"
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        let unique = String(
            SHA256.hash(data: Array(identity.utf8)).prefix(16).map { alphabet[Int($0) % alphabet.count] })
        return trail.keyPrefix(region: region)
            + "\(time.datePath)/\(trail.account)_CloudTrail_\(region)_\(time.minuteStamp)_\(unique).json.gz"
    }
}

/// The parts of a time that CloudTrail's object keys carry, in UTC.
struct KeyTime {
    let year, month, day, hour, minute, second: String

    init(_ date: Date) {
        let t = UTCFields(date)
        year = Timestamps.padded(t.year, width: 4)
        month = Timestamps.padded(t.month, width: 2)
        day = Timestamps.padded(t.day, width: 2)
        hour = Timestamps.padded(t.hour, width: 2)
        minute = Timestamps.padded(t.minute, width: 2)
        second = Timestamps.padded(t.second, width: 2)
    }

    /// `YYYY/MM/DD`.
    var datePath: String { "\(year)/\(month)/\(day)" }
    /// `YYYYMMDDTHHmmZ` (log files).
    var minuteStamp: String { "\(year)\(month)\(day)T\(hour)\(minute)Z" }
    /// `YYYYMMDDTHHmmssZ` (digest files).
    var secondStamp: String { "\(year)\(month)\(day)T\(hour)\(minute)\(second)Z" }
}
