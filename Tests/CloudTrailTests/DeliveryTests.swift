import AWSWire
import CacheTrailServer
import Foundation
import ObjectStore
import Persistence
import SigV4
import Testing

@testable import CloudTrail

struct DeliveryTests {
    @Test func gzipRoundTripsAsOneMember() throws {
        let text = Array(String(repeating: "{\"Records\":[]}", count: 1000).utf8)
        let packed = try Gzip.compress(text)
        #expect(packed.prefix(2) == [0x1F, 0x8B])
        #expect(packed.count < text.count / 10)
        #expect(try Gzip.decompress(packed) == text)
    }

    /// Files compressed side by side are the files compressed one by one, in order.
    @Test func filesCompressedTogetherMatchOneByOne() throws {
        let batches = (0..<5).map { file in
            (0..<(file * 40 + 1)).map { index in
                var event = entry("Describe\(file)", readOnly: true)
                event.record = "{\"file\":\(file),\"n\":\(index)}"
                return event
            }
        }
        let together = try TrailDelivery.files(batches)
        #expect(together == (try batches.map(TrailDelivery.file)))
        let first = String(decoding: try Gzip.decompress(together[1].gzip), as: UTF8.self)
        #expect(together[1].sha256 == SigV4.sha256Hex(Array(first.utf8)))
        #expect(first.hasPrefix(#"{"Records":[{"file":1,"n":0},{"file":1,"n":1}"#))
        #expect(first.hasSuffix(#"{"file":1,"n":40}]}"#))
    }

    func trail(prefix: String? = nil) -> TrailRecord {
        TrailRecord(
            name: "main", account: "111111111111", homeRegion: "us-west-2",
            arn: "arn:aws:cloudtrail:us-west-2:111111111111:trail/main", bucket: "logs", prefix: prefix,
            includeGlobalServiceEvents: true, isMultiRegion: false, logFileValidation: false, kmsKeyId: nil,
            eventSelectors: nil, advancedEventSelectors: nil, insightSelectors: nil, tags: [:], logging: true,
            startLoggingTime: nil, stopLoggingTime: nil, latestDeliveryTime: nil, latestDeliveryAttemptTime: nil,
            latestDeliveryAttemptSucceeded: nil, latestDeliveryError: nil, startPosition: 0, stopPosition: nil,
            cursors: [:])
    }

    func entry(_ name: String, readOnly: Bool, source: String = "elasticache.amazonaws.com") -> JournalEntry {
        JournalEntry(
            eventID: UUID().uuidString, account: "111111111111", region: "us-west-2",
            eventTime: Date(timeIntervalSince1970: 1_700_000_000), eventName: name, eventSource: source,
            readOnly: readOnly,
            username: "root", accessKeyId: nil, record: "{}")
    }

    @Test func externalBucketsGetFilesCutIntoTheOutboxOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(path: nil)
        let external = ExternalBucket(
            endpoint: URL(fileURLWithPath: "/"), credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "s"))
        let delivery = TrailDelivery(
            interval: 300, maxFileBytes: 1024,
            ports: .embedded(blobs: try EncryptedBlobStore(dataDirectory: directory)),
            external: external)
        let events = (0..<3).map { index in
            var event = entry("CreateCacheCluster", readOnly: false)
            event.record = "{\"n\":\(index),\"pad\":\"" + String(repeating: "x", count: 600) + "\"}"
            return event
        }
        let cut = try await store.write { tx in
            for event in events { try tx.appendEvent(event) }
            var main = self.trail()
            let first = try delivery.deliver(
                &main, now: Date(timeIntervalSince1970: 1_700_000_400), flush: false, in: tx)
            var again = main
            let second = try delivery.deliver(
                &again, now: Date(timeIntervalSince1970: 1_700_000_400), flush: false, in: tx)
            return (main, first, second)
        }
        // 600-byte records against a 1 KiB limit: two files, cut into the outbox, not stored.
        #expect(cut.1.count == 2)
        #expect(cut.2.isEmpty)
        let outbox = cut.0.outbox ?? []
        #expect(outbox.map(\.key) == cut.1)
        #expect(outbox.map(\.after) == [0, 2])
        #expect(outbox.map(\.end) == [2, 3])
        #expect(cut.0.cursors["us-west-2"] == 3)
        #expect(cut.0.latestDeliveryTime == nil)
    }

    @Test func keysFollowAWSLayoutAndAreStablePerBatch() {
        let batch = [(position: Int64(7), entry: entry("CreateCacheCluster", readOnly: false))]
        let key = TrailDelivery.key(trail: trail(prefix: "org"), region: "us-west-2", batch: batch)
        #expect(
            key.hasPrefix(
                "org/AWSLogs/111111111111/CloudTrail/us-west-2/2023/11/14/111111111111_CloudTrail_us-west-2_20231114T2213Z_"
            ))
        #expect(key.hasSuffix(".json.gz"))
        let unique = key.dropLast(".json.gz".count).split(separator: "_").last ?? ""
        #expect(unique.count == 16)
        #expect(TrailDelivery.key(trail: trail(prefix: "org"), region: "us-west-2", batch: batch) == key)
        let other = [(position: Int64(8), entry: batch[0].entry)]
        #expect(TrailDelivery.key(trail: trail(prefix: "org"), region: "us-west-2", batch: other) != key)
    }

    @Test func selectors() {
        var write = trail()
        write.eventSelectors = .list([
            .object(["ReadWriteType": .string("WriteOnly"), "IncludeManagementEvents": .boolean(true)])
        ])
        let selectors = EventSelectors(trail: write)
        #expect(selectors.matches(entry("CreateCacheCluster", readOnly: false), trail: write))
        #expect(!selectors.matches(entry("DescribeCacheClusters", readOnly: true), trail: write))
        var excluding = trail()
        excluding.eventSelectors = .list([
            .object(["ExcludeManagementEventSources": .list([.string("iam.amazonaws.com")])])
        ])
        #expect(
            !EventSelectors(trail: excluding).matches(
                entry("CreateUser", readOnly: false, source: "iam.amazonaws.com"), trail: excluding))
        var noGlobal = trail()
        noGlobal.includeGlobalServiceEvents = false
        #expect(
            !EventSelectors(trail: noGlobal).matches(
                entry("CreateUser", readOnly: false, source: "iam.amazonaws.com"), trail: noGlobal))
        var advanced = trail()
        advanced.advancedEventSelectors = .list([
            .object([
                "FieldSelectors": .list([
                    .object(["Field": .string("eventCategory"), "Equals": .list([.string("Management")])]),
                    .object(["Field": .string("readOnly"), "Equals": .list([.string("true")])]),
                ])
            ])
        ])
        #expect(
            EventSelectors(trail: advanced).matches(entry("DescribeCacheClusters", readOnly: true), trail: advanced))
        #expect(!EventSelectors(trail: advanced).matches(entry("CreateCacheCluster", readOnly: false), trail: advanced))
    }
}
