import AWSWire
import Foundation
import Persistence
import SigV4

/// Digest files, as CloudTrail writes them for trails with log file validation: hourly per
/// region (also when no file was delivered), each listing the log files delivered in its hour
/// with their SHA-256, chained to the previous digest by its hash and signature, and signed
/// SHA256withRSA over `digestEndTime \n bucket/key \n sha256(digest) \n previousSignature`.
/// The signature travels in the object's metadata (`signature`, `signature-algorithm`).
struct TrailDigests {
    let ports: TrailPorts

    var keys: DigestKeys { DigestKeys(secrets: ports.secrets) }

    /// Notes a delivered log file for the region's next digest.
    static func record(
        _ trail: inout TrailRecord, region: String, key: String, hash: String, entries: [JournalEntry], now: Date
    ) {
        guard let oldest = entries.map(\.eventTime).min(), let newest = entries.map(\.eventTime).max() else { return }
        record(&trail, region: region, key: key, hash: hash, oldest: oldest, newest: newest, now: now)
    }

    /// Notes a delivered log file, given its events' time range.
    static func record(
        _ trail: inout TrailRecord, region: String, key: String, hash: String, oldest: Date, newest: Date, now: Date
    ) {
        guard trail.logFileValidation else { return }
        var chains = trail.digests ?? [:]
        var chain = chains[region] ?? DigestChain(periodStart: trail.startLoggingTime ?? now)
        chain.files.append(
            DigestChain.LogFile(
                bucket: trail.bucket, key: key, hash: hash, oldestEventTime: oldest, newestEventTime: newest,
                deliveredAt: now))
        chains[region] = chain
        trail.digests = chains
    }

    /// Writes every digest that is due by `now` (each hour since the period started), or with
    /// `final`, one more for the part-hour up to `now` (logging stops, the trail is deleted).
    ///
    /// With `external`, digests are queued in the trail's digest outbox for the external endpoint.
    func deliverDue(
        _ trail: inout TrailRecord, now: Date, final: Bool = false, external: Bool = false, in tx: any StateWriter
    ) throws {
        guard trail.logFileValidation, trail.logging || final else { return }
        var chains = trail.digests ?? [:]
        // The home region always has a chain; a multi-region trail adds one per region it delivered in.
        if chains[trail.homeRegion] == nil {
            chains[trail.homeRegion] = DigestChain(periodStart: trail.startLoggingTime ?? now)
        }
        for region in chains.keys.sorted() {
            guard var chain = chains[region] else { continue }
            while chain.periodStart.addingTimeInterval(DigestChain.period) <= now {
                let end = chain.periodStart.addingTimeInterval(DigestChain.period)
                guard try deliver(&chain, trail: &trail, region: region, end: end, external: external, in: tx)
                else { break }
            }
            if final && chain.periodStart < now {
                _ = try deliver(&chain, trail: &trail, region: region, end: now, external: external, in: tx)
            }
            chains[region] = chain
        }
        trail.digests = chains
    }

    /// Writes the digest of `chain`'s period up to `end`; false (status recorded) if the bucket refused.
    private func deliver(
        _ chain: inout DigestChain, trail: inout TrailRecord, region: String, end: Date, external: Bool,
        in tx: any StateWriter
    ) throws -> Bool {
        let files = chain.files.filter { $0.deliveredAt <= end }
        let key = Self.key(trail: trail, region: region, end: end)
        let signingKey = try keys.current(region: region, now: end, in: tx)
        let document = Self.document(
            trail: trail, start: chain.periodStart, end: end, key: key, fingerprint: signingKey.fingerprint,
            previous: chain.previous, files: files)
        let bytes = Array(document.utf8)
        let hash = SigV4.sha256Hex(bytes)
        let signature = try keys.sign(
            Self.stringToSign(
                end: end, bucket: trail.bucket, key: key, hash: hash, previousSignature: chain.previous?.signature),
            with: signingKey)
        if external {
            // Stored by the upload pass (Deliverer+External), retried until the endpoint takes it.
            trail.digestOutbox =
                (trail.digestOutbox ?? []) + [
                    TrailRecord.PendingDigest(key: key, body: Data(try Gzip.compress(bytes)), signature: signature)
                ]
        } else {
            do {
                try ports.logFiles.put(
                    LogFile(
                        bucket: trail.bucket, key: key, bytes: try Gzip.compress(bytes),
                        contentType: "application/json", contentEncoding: "gzip", account: trail.account,
                        sourceArn: trail.arn, kmsKeyId: trail.kmsKeyId,
                        metadata: ["signature": signature, "signature-algorithm": "SHA256withRSA"], time: end),
                    in: tx)
            } catch let error as AWSError {
                trail.latestDigestDeliveryError = error.code
                return false
            }
            trail.latestDigestDeliveryError = nil
            trail.latestDigestDeliveryTime = end
        }
        chain.files.removeAll { $0.deliveredAt <= end }
        chain.previous = DigestChain.Previous(bucket: trail.bucket, key: key, hash: hash, signature: signature)
        chain.periodStart = end
        return true
    }

    /// `digestEndTime \n bucket/key \n hex sha256 of the uncompressed digest \n previous signature or "null"`.
    static func stringToSign(end: Date, bucket: String, key: String, hash: String, previousSignature: String?) -> String
    {
        [Timestamps.iso8601(end), "\(bucket)/\(key)", hash, previousSignature ?? "null"].joined(separator: "\n")
    }

    /// `[prefix/]AWSLogs/ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ.json.gz`.
    static func key(trail: TrailRecord, region: String, end: Date) -> String {
        let time = KeyTime(end)
        return trail.digestKeyPrefix(region: region)
            + "\(time.datePath)/\(trail.account)_CloudTrail-Digest_\(region)_\(trail.name)_\(trail.homeRegion)_\(time.secondStamp).json.gz"
    }

    /// The digest's JSON, fields in CloudTrail's order.
    static func document(
        trail: TrailRecord, start: Date, end: Date, key: String, fingerprint: String, previous: DigestChain.Previous?,
        files: [DigestChain.LogFile]
    ) -> String {
        func time(_ date: Date?) -> String { date.map { JSONWriter.quote(Timestamps.iso8601($0)) } ?? "null" }
        var out = OrderedJSON()
        out.add("awsAccountId", trail.account)
        out.add("digestStartTime", iso8601: start)
        out.add("digestEndTime", iso8601: end)
        out.add("digestS3Bucket", trail.bucket)
        out.add("digestS3Object", key)
        out.add("digestPublicKeyFingerprint", fingerprint)
        out.add("digestSignatureAlgorithm", "SHA256withRSA")
        out.addRaw("newestEventTime", time(files.map(\.newestEventTime).max()))
        out.addRaw("oldestEventTime", time(files.map(\.oldestEventTime).min()))
        out.addRaw("previousDigestS3Bucket", previous.map { JSONWriter.quote($0.bucket) } ?? "null")
        out.addRaw("previousDigestS3Object", previous.map { JSONWriter.quote($0.key) } ?? "null")
        out.addRaw("previousDigestHashValue", previous.map { JSONWriter.quote($0.hash) } ?? "null")
        out.addRaw("previousDigestHashAlgorithm", previous == nil ? "null" : JSONWriter.quote("SHA-256"))
        out.addRaw("previousDigestSignature", previous.map { JSONWriter.quote($0.signature) } ?? "null")
        var list = "["
        for (index, file) in files.enumerated() {
            if index > 0 { list += "," }
            var entry = OrderedJSON()
            entry.add("s3Bucket", file.bucket)
            entry.add("s3Object", file.key)
            entry.add("hashValue", file.hash)
            entry.add("hashAlgorithm", "SHA-256")
            entry.add("newestEventTime", iso8601: file.newestEventTime)
            entry.add("oldestEventTime", iso8601: file.oldestEventTime)
            list += entry.text
        }
        out.addRaw("logFiles", list + "]")
        return out.text
    }
}
