import Foundation
import Logging
import Persistence

/// The upload side of delivery to an external bucket. Files are cut (and the trail's cursor
/// moved) in a transaction; each file is then rebuilt from its journal range, PUT to the
/// endpoint outside any transaction, and taken off the outbox only once the endpoint said
/// yes. A failure waits out a backoff on the injected clock and retries the same key.
extension Deliverer {
    /// Longest wait between two attempts at one file.
    static let maxBackoff: TimeInterval = 300

    /// A trail document with an outbox, wherever it is stored (live or retired).
    struct Holder: Sendable {
        var kind: String
        var id: String
        var trail: TrailRecord
    }

    /// Uploads, per trail and region, the files whose backoff has passed, oldest first; a
    /// region stops at its first failure so files arrive in order.
    func uploadPending(now: Date) async -> [String] {
        guard let external = delivery.external else { return [] }
        var uploaded: [String] = []
        do {
            let holders = try await store.read { tx in try Self.holders(in: tx) }
            for holder in holders {
                for region in Set((holder.trail.outbox ?? []).map(\.region)).sorted() {
                    for file in (holder.trail.outbox ?? []).filter({ $0.region == region }) {
                        if let notBefore = file.notBefore, notBefore > now { break }
                        let outcome = await upload(file, of: holder.trail, to: external)
                        try await settle(file, of: holder, outcome: outcome, now: now)
                        guard outcome.failure == nil else { break }
                        uploaded.append(file.key)
                    }
                }
                for digest in holder.trail.digestOutbox ?? [] {
                    if let notBefore = digest.notBefore, notBefore > now { break }
                    let failure = await upload(digest, of: holder.trail, to: external)
                    try await settle(digest, of: holder, failure: failure, now: now)
                    guard failure == nil else { break }
                }
            }
        } catch {
            logger.error("external delivery failed", metadata: ["error": .string(String(describing: error))])
        }
        return uploaded
    }

    static func holders(in tx: any StateReader) throws -> [Holder] {
        var holders: [Holder] = []
        for kind in [TrailRecord.kind, TrailRecord.retiredKind] {
            for trail in try tx.list(TrailRecord.self, kind: kind, scope: TrailRecord.scope)
            where !(trail.outbox ?? []).isEmpty || !(trail.digestOutbox ?? []).isEmpty {
                holders.append(
                    Holder(kind: kind, id: kind == TrailRecord.kind ? trail.id : trail.retiredID, trail: trail))
            }
        }
        return holders
    }

    /// How one upload went: the error code for the trail's status, or what a digest lists of
    /// the stored file.
    struct Outcome {
        var failure: String?
        var sha256 = ""
        var oldest: Date?
        var newest: Date?
    }

    /// PUTs one file.
    private func upload(_ file: TrailRecord.PendingFile, of trail: TrailRecord, to external: ExternalBucket) async
        -> Outcome
    {
        do {
            let entries = try await store.read { tx in
                try tx.pending(
                    account: trail.account, region: file.region, after: file.after, upTo: file.end, limit: Int.max)
            }
            let selectors = EventSelectors(trail: trail)
            let selected = entries.map(\.entry).filter { selectors.matches($0, trail: trail) }
            let logFile = try TrailDelivery.file(selected)
            let body = logFile.gzip
            var headers = [
                ("content-type", "application/json"), ("content-encoding", "gzip"),
                ("x-amz-acl", "bucket-owner-full-control"),
            ]
            if let kmsKeyId = trail.kmsKeyId {
                headers += [
                    ("x-amz-server-side-encryption", "aws:kms"),
                    ("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyId),
                ]
            } else {
                headers.append(("x-amz-server-side-encryption", "AES256"))
            }
            try await external.put(bucket: trail.bucket, key: file.key, body: body, headers: headers)
            return Outcome(
                failure: nil, sha256: logFile.sha256, oldest: selected.map(\.eventTime).min(),
                newest: selected.map(\.eventTime).max())
        } catch let failure as ExternalBucket.Failure {
            logger.warning(
                "external bucket refused a log file",
                metadata: ["key": .string(file.key), "error": .string(failure.code)])
            return Outcome(failure: failure.code)
        } catch {
            return Outcome(failure: "InternalFailure")
        }
    }

    /// PUTs one digest with its signature in the object's metadata; nil when stored.
    private func upload(_ digest: TrailRecord.PendingDigest, of trail: TrailRecord, to external: ExternalBucket)
        async -> String?
    {
        var headers = [
            ("content-type", "application/json"), ("content-encoding", "gzip"),
            ("x-amz-meta-signature", digest.signature), ("x-amz-meta-signature-algorithm", "SHA256withRSA"),
            ("x-amz-acl", "bucket-owner-full-control"), ("x-amz-server-side-encryption", "AES256"),
        ]
        if let kmsKeyId = trail.kmsKeyId {
            headers.removeLast()
            headers += [
                ("x-amz-server-side-encryption", "aws:kms"), ("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyId),
            ]
        }
        do {
            try await external.put(bucket: trail.bucket, key: digest.key, body: Array(digest.body), headers: headers)
            return nil
        } catch let failure as ExternalBucket.Failure {
            logger.warning(
                "external bucket refused a digest file",
                metadata: ["key": .string(digest.key), "error": .string(failure.code)])
            return failure.code
        } catch {
            return "InternalFailure"
        }
    }

    /// Records the outcome of one digest upload on the trail's document.
    private func settle(_ digest: TrailRecord.PendingDigest, of holder: Holder, failure: String?, now: Date)
        async throws
    {
        try await store.write { tx in
            guard var trail = try tx.get(TrailRecord.self, kind: holder.kind, scope: TrailRecord.scope, id: holder.id),
                var outbox = trail.digestOutbox, let index = outbox.firstIndex(where: { $0.key == digest.key })
            else { return }
            if let failure {
                outbox[index].attempts += 1
                outbox[index].notBefore = now.addingTimeInterval(
                    min(Self.maxBackoff, pow(2, Double(outbox[index].attempts))))
                trail.latestDigestDeliveryError = failure
            } else {
                outbox.remove(at: index)
                trail.latestDigestDeliveryError = nil
                trail.latestDigestDeliveryTime = now
            }
            trail.digestOutbox = outbox.isEmpty ? nil : outbox
            if holder.kind == TrailRecord.retiredKind && (trail.outbox ?? []).isEmpty && outbox.isEmpty {
                try tx.delete(kind: holder.kind, scope: TrailRecord.scope, id: holder.id)
            } else {
                try tx.put(trail, kind: holder.kind, scope: TrailRecord.scope, id: holder.id)
            }
        }
    }

    /// Records the outcome of one attempt on the trail's document, if the file is still queued;
    /// a stored file is noted for the region's next digest.
    private func settle(_ file: TrailRecord.PendingFile, of holder: Holder, outcome: Outcome, now: Date) async throws {
        let failure = outcome.failure
        try await store.write { tx in
            guard var trail = try tx.get(TrailRecord.self, kind: holder.kind, scope: TrailRecord.scope, id: holder.id),
                var outbox = trail.outbox, let index = outbox.firstIndex(where: { $0.key == file.key })
            else { return }
            trail.latestDeliveryAttemptTime = now
            if let failure {
                outbox[index].attempts += 1
                let wait = min(Self.maxBackoff, pow(2, Double(outbox[index].attempts)))
                outbox[index].notBefore = now.addingTimeInterval(wait)
                trail.latestDeliveryError = failure
            } else {
                outbox.remove(at: index)
                if let oldest = outcome.oldest, let newest = outcome.newest {
                    TrailDigests.record(
                        &trail, region: file.region, key: file.key, hash: outcome.sha256, oldest: oldest,
                        newest: newest, now: now)
                }
                try delivery.notify(&trail, keys: [file.key], now: now, in: tx)
                trail.latestDeliveryError = nil
                trail.latestDeliveryTime = now
                trail.latestDeliveryAttemptSucceeded = now
            }
            trail.outbox = outbox
            if holder.kind == TrailRecord.retiredKind && outbox.isEmpty && (trail.digestOutbox ?? []).isEmpty {
                try tx.delete(kind: holder.kind, scope: TrailRecord.scope, id: holder.id)
            } else {
                try tx.put(trail, kind: holder.kind, scope: TrailRecord.scope, id: holder.id)
            }
        }
    }
}
