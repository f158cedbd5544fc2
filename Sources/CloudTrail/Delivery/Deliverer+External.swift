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
                        let failure = await upload(file, of: holder.trail, to: external)
                        try await settle(file, of: holder, failure: failure, now: now)
                        guard failure == nil else { break }
                        uploaded.append(file.key)
                    }
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
            where !(trail.outbox ?? []).isEmpty {
                holders.append(
                    Holder(kind: kind, id: kind == TrailRecord.kind ? trail.id : trail.retiredID, trail: trail))
            }
        }
        return holders
    }

    /// PUTs one file; nil when stored, else the error code for the trail's status.
    private func upload(_ file: TrailRecord.PendingFile, of trail: TrailRecord, to external: ExternalBucket) async
        -> String?
    {
        do {
            let entries = try await store.read { tx in
                try tx.pending(
                    account: trail.account, region: file.region, after: file.after, upTo: file.end, limit: Int.max)
            }
            let selectors = EventSelectors(trail: trail)
            let body = try TrailDelivery.file(entries.map(\.entry).filter { selectors.matches($0, trail: trail) }).gzip
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
            return nil
        } catch let failure as ExternalBucket.Failure {
            logger.warning(
                "external bucket refused a log file",
                metadata: ["key": .string(file.key), "error": .string(failure.code)])
            return failure.code
        } catch {
            return "InternalFailure"
        }
    }

    /// Records the outcome of one attempt on the trail's document, if the file is still queued.
    private func settle(_ file: TrailRecord.PendingFile, of holder: Holder, failure: String?, now: Date) async throws {
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
                try TrailDelivery.notify(&trail, keys: [file.key], now: now, in: tx)
                trail.latestDeliveryError = nil
                trail.latestDeliveryTime = now
                trail.latestDeliveryAttemptSucceeded = now
            }
            trail.outbox = outbox
            if holder.kind == TrailRecord.retiredKind && outbox.isEmpty {
                try tx.delete(kind: holder.kind, scope: TrailRecord.scope, id: holder.id)
            } else {
                try tx.put(trail, kind: holder.kind, scope: TrailRecord.scope, id: holder.id)
            }
        }
    }
}
