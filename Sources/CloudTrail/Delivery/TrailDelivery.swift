import AWSWire
import Crypto
import Foundation
import ObjectStore
import Persistence

/// Turns a trail's journal backlog into log files: batches per region, cut when the oldest
/// event has waited `interval` or the batch reaches `maxFileBytes`, written as one gzip
/// member `{"Records":[…]}` under AWS's key layout. The cursor advances in the same
/// transaction as the object is stored, so every event lands in exactly one file.
public struct TrailDelivery: Sendable {
    public var interval: TimeInterval
    /// Uncompressed bytes of records in one file (keeps files far below AWS's 50 MB compressed).
    public var maxFileBytes: Int
    let writer: ServiceDelivery
    /// Where buckets that the embedded store does not hold live, if anywhere.
    public var external: ExternalBucket?

    public init(
        interval: TimeInterval = 300, maxFileBytes: Int = 50 << 20, blobs: EncryptedBlobStore,
        external: ExternalBucket? = nil
    ) {
        self.interval = interval
        self.maxFileBytes = maxFileBytes
        self.writer = ServiceDelivery(service: "cloudtrail.amazonaws.com", blobs: blobs)
        self.external = external
    }

    /// Whether `trail` delivers to the external endpoint: its bucket is not an embedded one.
    func deliversExternally(_ trail: TrailRecord, in tx: any StateReader) throws -> Bool {
        guard external != nil else { return false }
        return try !writer.holds(bucket: trail.bucket, in: tx)
    }

    /// How many journal entries one pass reads per region.
    static let readLimit = 5_000
    /// Files one pass writes per trail and region (unless flushing), so that a backlog drains
    /// over several short transactions instead of one that holds every other write back.
    static let filesPerPass = 4

    /// Delivers what is due for `trail` (everything captured, when `flush`); returns the keys
    /// written. A failed write is recorded in the trail's status and retried on the next pass.
    public func deliver(_ trail: inout TrailRecord, now: Date, flush: Bool, in tx: any StateWriter) throws -> [String] {
        let external = try deliversExternally(trail, in: tx)
        let keys = try cut(&trail, now: now, flush: flush, external: external, in: tx)
        // Files for an external bucket are announced once stored there (see `uploadPending`).
        if !external { try Self.notify(&trail, keys: keys, now: now, in: tx) }
        return keys
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
                    trail.cursors[region] = cursor
                    if pending.count < Self.readLimit { break }
                    continue
                }
                let due =
                    flush || cutAt != nil
                    || (batch.first.map { $0.entry.eventTime.addingTimeInterval(interval) <= now } ?? false)
                guard due else { break }
                let end =
                    cutAt ?? (pending.count < Self.readLimit ? last.position : batch.last?.position ?? last.position)
                let key: String
                if external {
                    key = Self.key(trail: trail, region: region, batch: batch)
                    trail.outbox =
                        (trail.outbox ?? []) + [
                            TrailRecord.PendingFile(region: region, key: key, after: cursor, end: end)
                        ]
                } else {
                    guard let stored = try write(batch, trail: &trail, region: region, now: now, in: tx) else {
                        return keys
                    }
                    key = stored
                }
                keys.append(key)
                files += 1
                cursor = end
                trail.cursors[region] = cursor
            }
        }
        return keys
    }

    private func write(
        _ batch: [(position: Int64, entry: JournalEntry)], trail: inout TrailRecord, region: String, now: Date,
        in tx: any StateWriter
    ) throws -> String? {
        let body = try Self.file(batch.map(\.entry))
        let key = Self.key(trail: trail, region: region, batch: batch)
        trail.latestDeliveryAttemptTime = now
        do {
            try writer.put(
                bucket: trail.bucket, key: key, bytes: body, contentType: "application/json", contentEncoding: "gzip",
                account: trail.account, sourceArn: trail.arn, kmsKeyId: trail.kmsKeyId, now: now, in: tx)
        } catch let error as AWSError {
            trail.latestDeliveryError = error.code
            return nil
        }
        trail.latestDeliveryError = nil
        trail.latestDeliveryTime = now
        trail.latestDeliveryAttemptSucceeded = now
        return key
    }

    /// A log file's bytes: `{"Records":[…]}` as one gzip member.
    static func file(_ entries: [JournalEntry]) throws -> [UInt8] {
        var json = "{\"Records\":["
        json += entries.map(\.record).joined(separator: ",")
        json += "]}"
        return try Gzip.compress(Array(json.utf8))
    }

    /// `[prefix/]AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`,
    /// timed by the batch's newest event and made unique by the batch's identity, so a retried
    /// batch lands on the same key.
    static func key(trail: TrailRecord, region: String, batch: [(position: Int64, entry: JournalEntry)]) -> String {
        let time = batch.last?.entry.eventTime ?? Date(timeIntervalSince1970: 0)
        let c = Timestamps.utc.dateComponents([.year, .month, .day, .hour, .minute], from: time)
        let day = String(format: "%04d/%02d/%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        let stamp = String(
            format: "%04d%02d%02dT%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
        let identity = "\(trail.arn)|\(region)|\(batch.first?.position ?? 0)|\(batch.last?.position ?? 0)"
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        let unique = String(
            SHA256.hash(data: Array(identity.utf8)).prefix(16).map { alphabet[Int($0) % alphabet.count] })
        return trail.keyPrefix(region: region)
            + "\(day)/\(trail.account)_CloudTrail_\(region)_\(stamp)_\(unique).json.gz"
    }
}

/// A trail's event selectors (basic or advanced, management events), as a predicate.
struct EventSelectors {
    struct Basic {
        var readWrite: String
        var management: Bool
        var excludedSources: Set<String>
        /// `AWS::S3::Object` ARN prefixes this selector logs data events for.
        var objectPrefixes: [String]
    }

    var basic: [Basic] = []
    var advanced: [[ShapeValue]] = []

    init(trail: TrailRecord) {
        for selector in trail.eventSelectors?.listValue ?? [] {
            basic.append(
                Basic(
                    readWrite: selector[member: "ReadWriteType"]?.stringValue ?? "All",
                    management: selector[member: "IncludeManagementEvents"]?.boolValue ?? true,
                    excludedSources: Set(
                        (selector[member: "ExcludeManagementEventSources"]?.listValue ?? []).compactMap(\.stringValue)),
                    objectPrefixes: (selector[member: "DataResources"]?.listValue ?? [])
                        .filter { $0[member: "Type"]?.stringValue == "AWS::S3::Object" }
                        .flatMap { ($0[member: "Values"]?.listValue ?? []).compactMap(\.stringValue) }))
        }
        for selector in trail.advancedEventSelectors?.listValue ?? [] {
            advanced.append(selector[member: "FieldSelectors"]?.listValue ?? [])
        }
    }

    func matches(_ entry: JournalEntry, trail: TrailRecord) -> Bool {
        if !trail.includeGlobalServiceEvents && entry.eventSource == "iam.amazonaws.com" { return false }
        if !advanced.isEmpty { return advanced.contains { fields in fields.allSatisfy { Self.field($0, entry) } } }
        if basic.isEmpty { return entry.management }
        return basic.contains { selector in
            switch selector.readWrite {
            case "ReadOnly": guard entry.readOnly else { return false }
            case "WriteOnly": guard !entry.readOnly else { return false }
            default: break
            }
            if entry.management {
                return selector.management && !selector.excludedSources.contains(entry.eventSource)
            }
            let arn = entry.resourceArn ?? ""
            return selector.objectPrefixes.contains { prefix in
                prefix == "arn:aws:s3" || prefix == "arn:aws:s3:::" || arn.hasPrefix(prefix)
            }
        }
    }

    static func field(_ selector: ShapeValue, _ entry: JournalEntry) -> Bool {
        let value: String
        switch selector[member: "Field"]?.stringValue {
        case "eventCategory": value = entry.management ? "Management" : "Data"
        case "resources.type": value = entry.management ? "" : "AWS::S3::Object"
        case "resources.ARN": value = entry.resourceArn ?? ""
        case "readOnly": value = entry.readOnly ? "true" : "false"
        case "eventSource": value = entry.eventSource
        case "eventName": value = entry.eventName
        default: return true
        }
        func strings(_ member: String) -> [String]? { selector[member: member]?.listValue?.compactMap(\.stringValue) }
        if let equals = strings("Equals"), !equals.contains(value) { return false }
        if let notEquals = strings("NotEquals"), notEquals.contains(value) { return false }
        if let prefixes = strings("StartsWith"), !prefixes.contains(where: { value.hasPrefix($0) }) { return false }
        if let prefixes = strings("NotStartsWith"), prefixes.contains(where: { value.hasPrefix($0) }) { return false }
        return true
    }
}
