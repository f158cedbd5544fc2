import AWSWire
import Foundation
import Logging
import Persistence
import Synchronization

/// Runs lifecycle rules on the injected clock (a pass on every server tick): expirations, transitions to
/// archive storage classes, and aborting incomplete multipart uploads. What a rule deletes is
/// gone from listings at once and from disk right after its transaction commits.
package struct LifecycleExecutor: Sendable {
    /// What a rule did to one object or upload, reported inside the transaction that did it.
    package struct Action: Sendable {
        package enum Kind: Sendable, Equatable {
            case expiration
            case transition(storageClass: String)
            case abortIncompleteUpload(uploadId: String)
        }

        package var kind: Kind
        package var bucket: BucketRecord
        package var key: String
        package var ruleId: String
        package var time: Date
    }

    let store: any StateStore
    let blobs: EncryptedBlobStore
    let now: @Sendable () -> Date
    let logger: Logger
    /// Called for each action in its transaction (CloudTrail records AwsServiceEvents here).
    let onAction: @Sendable (Action, any StateWriter) throws -> Void
    /// Rules act in days: between passes at least this much injected time goes by.
    package static let interval: TimeInterval = 60
    private let lastPass = LastPass()

    private final class LastPass: Sendable {
        let date = Mutex<Date?>(nil)
    }

    package init(
        store: any StateStore, blobs: EncryptedBlobStore, now: @escaping @Sendable () -> Date, logger: Logger,
        onAction: @escaping @Sendable (Action, any StateWriter) throws -> Void = { _, _ in }
    ) {
        self.store = store
        self.blobs = blobs
        self.now = now
        self.logger = logger
        self.onAction = onAction
    }

    /// Versioned buckets: noncurrent versions past their rule's NoncurrentDays, and delete
    /// markers left as a key's only version where a rule says ExpiredObjectDeleteMarker.
    private func expireVersions(in bucket: BucketRecord, rules: [LifecycleRule], now: Date, tx: any StateWriter)
        throws -> Int
    {
        var versions = VersionedObjects(tx: tx, blobs: blobs, bucket: bucket)
        var changed = 0
        for (key, history) in try versions.allVersions() {
            for (index, version) in history.enumerated() where index > 0 {
                // Noncurrent since its successor was written.
                let since = history[index - 1].lastModified
                // A version Object Lock holds is not expired (S3 skips it too).
                guard let object = version.object, object.legalHold != true,
                    (object.retainUntil.map { $0 <= now } ?? true),
                    let rule = rules.first(where: { $0.expiresNoncurrent(object, since: since, now: now) })
                else { continue }
                try versions.deleteVersion(key: key, versionId: version.versionId)
                changed += 1
                try onAction(Action(kind: .expiration, bucket: bucket, key: key, ruleId: rule.id, time: now), tx)
            }
            let remaining = try versions.versions(of: key)
            if remaining.count == 1, let marker = remaining.first, marker.isDeleteMarker,
                let rule = rules.first(where: { $0.enabled && $0.expiredObjectDeleteMarker && key.hasPrefix($0.prefix) }
                )
            {
                try versions.deleteVersion(key: key, versionId: marker.versionId)
                changed += 1
                try onAction(Action(kind: .expiration, bucket: bucket, key: key, ruleId: rule.id, time: now), tx)
            }
        }
        return changed
    }

    /// A pass, unless one ran less than ``interval`` ago on the injected clock (the periodic
    /// tick calls this; a moved manual clock calls ``runOnce()`` directly).
    @discardableResult
    package func runIfDue() async -> Int {
        let now = self.now()
        let due = lastPass.date.withLock { last in
            guard last.map({ now.timeIntervalSince($0) >= Self.interval }) ?? true else { return false }
            last = now
            return true
        }
        return due ? await runOnce() : 0
    }

    /// One pass over every bucket with rules; returns how many objects expired or moved.
    @discardableResult
    package func runOnce() async -> Int {
        let now = self.now()
        lastPass.date.withLock { $0 = now }
        do {
            let changed = try await store.write { [blobs] tx -> Int in
                var changed = 0
                for bucket in try tx.list(BucketRecord.self, kind: Kinds.bucket, scope: Kinds.global) {
                    guard let rules = try? LifecycleRule.parse(bucket.lifecycleRules), !rules.isEmpty else { continue }
                    for var object in try tx.list(ObjectRecord.self, kind: Kinds.object, scope: bucket.name) {
                        for rule in rules {
                            switch rule.action(for: object, now: now) {
                            case .expire?:
                                // Versioned: the object gains a delete marker and stays as a noncurrent version.
                                var versions = VersionedObjects(tx: tx, blobs: blobs, bucket: bucket)
                                _ = try versions.delete(key: object.key, now: now)
                                changed += 1
                                try onAction(
                                    Action(
                                        kind: .expiration, bucket: bucket, key: object.key, ruleId: rule.id, time: now),
                                    tx)
                            case .transition(let storageClass)?:
                                object.storageClass = storageClass
                                try VersionedObjects(tx: tx, blobs: blobs, bucket: bucket).replaceCurrent(object)
                                changed += 1
                                try onAction(
                                    Action(
                                        kind: .transition(storageClass: storageClass), bucket: bucket, key: object.key,
                                        ruleId: rule.id, time: now),
                                    tx)
                                continue
                            case nil:
                                continue
                            }
                            break
                        }
                    }
                    if bucket.versioning != nil {
                        changed += try expireVersions(in: bucket, rules: rules, now: now, tx: tx)
                    }
                    for upload in try tx.list(UploadRecord.self, kind: Kinds.upload, scope: bucket.name) {
                        let abort = rules.first { rule in
                            guard rule.enabled, upload.key.hasPrefix(rule.prefix),
                                let days = rule.abortIncompleteAfterDays
                            else {
                                return false
                            }
                            return LifecycleRule.due(upload.initiated, days: days) <= now
                        }
                        if let abort {
                            try tx.deleteUpload(upload, bucket: bucket.name, blobs: blobs)
                            changed += 1
                            try onAction(
                                Action(
                                    kind: .abortIncompleteUpload(uploadId: upload.uploadId), bucket: bucket,
                                    key: upload.key, ruleId: abort.id, time: now),
                                tx)
                        }
                    }
                }
                return changed
            }
            return changed
        } catch {
            logger.error("lifecycle pass failed", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }
}
