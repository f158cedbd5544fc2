import Foundation

/// One CloudTrail event as the journal keeps it: the record's JSON text and the fields that
/// event history is searched by.
public struct JournalEntry: Sendable, Equatable {
    public var eventID: String
    public var account: String
    public var region: String
    public var eventTime: Date
    public var eventName: String
    public var eventSource: String
    public var readOnly: Bool
    public var username: String?
    public var accessKeyId: String?
    /// The record as delivered: `{"eventVersion":"1.11",…}`.
    public var record: String

    public init(
        eventID: String, account: String, region: String, eventTime: Date, eventName: String, eventSource: String,
        readOnly: Bool, username: String?, accessKeyId: String?, record: String
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
    }
}

/// The journal side of a transaction: events append in the same transaction as the state
/// change they describe (the transactional outbox).
public protocol JournalWriter {
    /// Appends `entry`; returns its position in the journal (increasing, never reused).
    @discardableResult
    func appendEvent(_ entry: JournalEntry) throws -> Int64
}

public protocol JournalReader {
    /// Entries of `account` in `region`, newest first, at most `limit`, strictly before `before`
    /// (a journal position) when given.
    func events(account: String, region: String, before: Int64?, limit: Int) throws -> [(Int64, JournalEntry)]
}
