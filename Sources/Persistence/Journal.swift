import Foundation

/// One CloudTrail event as the journal keeps it: the record's JSON text and the fields that
/// event history is searched by.
package struct JournalEntry: Sendable, Equatable {
    package var eventID: String
    package var account: String
    package var region: String
    package var eventTime: Date
    package var eventName: String
    package var eventSource: String
    package var readOnly: Bool
    package var username: String?
    package var accessKeyId: String?
    /// The record as delivered: `{"eventVersion":"1.11",…}`.
    package var record: String
    /// False for data events (S3 object calls), which event history does not show.
    package var management: Bool
    /// The resource a data event acted on (`arn:aws:s3:::bucket/key`), for trail selectors.
    package var resourceArn: String?
    /// The resource a management event acted on, as event history's ResourceType and
    /// ResourceName attributes find it (`AWS::ElastiCache::CacheCluster`, `test-memcached`).
    package var resourceType: String?
    package var resourceName: String?

    package init(
        eventID: String, account: String, region: String, eventTime: Date, eventName: String, eventSource: String,
        readOnly: Bool, username: String?, accessKeyId: String?, record: String, management: Bool = true,
        resourceArn: String? = nil, resourceType: String? = nil, resourceName: String? = nil
    ) {
        self.eventID = eventID
        self.account = account
        self.region = region
        self.eventTime = eventTime
        self.eventName = eventName
        self.eventSource = eventSource
        self.readOnly = readOnly
        self.username = username
        self.accessKeyId = accessKeyId
        self.record = record
        self.management = management
        self.resourceArn = resourceArn
        self.resourceType = resourceType
        self.resourceName = resourceName
    }
}

/// The journal side of a transaction: events append in the same transaction as the state
/// change they describe (the transactional outbox).
package protocol JournalWriter {
    /// Appends `entry`; returns its position in the journal (increasing, never reused).
    @discardableResult
    func appendEvent(_ entry: JournalEntry) throws -> Int64
}

/// A search of the journal, newest first (event history's LookupEvents).
package struct JournalQuery: Sendable {
    /// The searchable columns: LookupEvents' attributes that the journal indexes.
    package enum Attribute: String, Sendable {
        case eventId = "event_id"
        case eventName = "event_name"
        case readOnly = "read_only"
        case username
        case eventSource = "event_source"
        case accessKeyId = "access_key_id"
        case resourceType = "resource_type"
        case resourceName = "resource_name"
    }

    package var account: String
    package var region: String
    package var attribute: (Attribute, String)?
    package var start: Date?
    package var end: Date?
    /// Only entries strictly older (by journal position) than this one: the page cursor.
    package var before: Int64?
    package var limit: Int

    package init(
        account: String, region: String, attribute: (Attribute, String)? = nil, start: Date? = nil, end: Date? = nil,
        before: Int64? = nil, limit: Int
    ) {
        self.account = account
        self.region = region
        self.attribute = attribute
        self.start = start
        self.end = end
        self.before = before
        self.limit = limit
    }
}

package protocol JournalReader {
    /// Entries matching `query` with their journal positions, newest first.
    func events(_ query: JournalQuery) throws -> [(position: Int64, entry: JournalEntry)]

    /// The newest journal position (0 when the journal is empty).
    func latestPosition() throws -> Int64

    /// Entries of `account` in `region` after position `after` (and at most `upTo`), oldest
    /// first: what a trail has still to deliver.
    func pending(account: String, region: String, after: Int64, upTo: Int64?, limit: Int) throws
        -> [(position: Int64, entry: JournalEntry)]

    /// The regions in which `account` has entries after position `after`.
    func regions(account: String, after: Int64) throws -> [String]
}
