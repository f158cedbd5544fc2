import AWSModels
import AWSWire
import Foundation
import Persistence

/// A stored ElastiCache resource: a row of its family's table, with an ARN.
protocol ElastiCacheResource: CachedDocument {
    /// The family's kind in the state store.
    static var kind: String { get }
    /// The model's fault for an id the family does not hold (`UserNotFoundFault`).
    static var notFoundFault: ErrorShape { get }
    /// The message of the not-found fault for `id`.
    static func notFoundMessage(_ id: String) -> String
    /// The row id (lowercased where ElastiCache treats names case-insensitively).
    var id: String { get }
    var arn: String { get }
    /// DescribeEvents' `SourceType` of the family's events (`replication-group`).
    static var eventSourceType: String { get }

    /// The scope rows of the family are stored under; `account/region` by default.
    static func scope(account: String, region: String) -> String

    /// The row after every transition due by `now` (nil: the resource is gone), whether it
    /// changed, and the service events the transitions wrote. Pure: the table stores the
    /// outcome. Resources without a lifecycle never change.
    func advanced(to now: Date) -> Advanced<Self>

    /// Whether the processes behind the resource answer, so a transient status may end (a
    /// replication group waits for its members' nodes); true by default.
    func nodesReady(in context: ElastiCacheCall) throws -> Bool
}

extension ElastiCacheResource {
    func nodesReady(in context: ElastiCacheCall) throws -> Bool { true }
}

/// A row after its due transitions.
struct Advanced<Record> {
    var record: Record?
    var changed: Bool
    var events: [(date: Date, message: String)] = []
}

extension ElastiCacheResource {
    static func scope(account: String, region: String) -> String { "\(account)/\(region)" }

    /// The stored row an ARN names (as given, else lowercased), unsettled: for readers outside
    /// a call's transaction (authorization's resource tags).
    static func stored(named arn: ElastiCacheARN, in reader: any StateReader) throws -> Self? {
        let scope = scope(account: arn.account, region: arn.region)
        return try reader.get(Self.self, kind: kind, scope: scope, id: arn.id)
            ?? reader.get(Self.self, kind: kind, scope: scope, id: arn.id.lowercased())
    }
    static var eventSourceType: String { "" }

    func advanced(to now: Date) -> Advanced<Self> { Advanced(record: self, changed: false) }
}

/// A status of an ElastiCache resource. Stable statuses stay until a call changes them; a
/// transient one (`creating`, `modifying`, `deleting`…) settles once its time, the resource's
/// `readyAt`, has passed.
protocol ResourceStatus: RawRepresentable, Codable, Sendable, Equatable where RawValue == String {
    /// What the status becomes when its time is up; nil for a stable status.
    var settlement: Settlement<Self>? { get }
}

/// Where a transient status goes.
enum Settlement<Status: Sendable & Equatable>: Sendable, Equatable {
    case becomes(Status)
    /// The resource is gone (a delete finished).
    case removed
}

/// A resource with a lifecycle: documented states (its `Status`), pure transitions driven by
/// the injected clock, each optionally writing a service event (DescribeEvents).
protocol LifecycleResource: ElastiCacheResource {
    associatedtype Status: ResourceStatus

    var status: Status { get set }
    /// When the transient status ends; nil when the status is stable.
    var readyAt: Date? { get set }

    /// Where the current transient status goes; by default what the status says.
    func settlement() -> Settlement<Status>?

    /// What else a transition changes (a creation time…), at the time it happened.
    mutating func settled(from old: Status, at time: Date)

    /// The service event a transition writes, if any.
    func event(from old: Status, to next: Settlement<Status>) -> String?
}

extension LifecycleResource {
    func settlement() -> Settlement<Status>? { status.settlement }

    mutating func settled(from old: Status, at time: Date) {}

    func event(from old: Status, to next: Settlement<Status>) -> String? { nil }

    /// Enters `status`: transient until `readyAt`, or stable (`readyAt` nil).
    mutating func begin(_ status: Status, until readyAt: Date?) {
        self.status = status
        self.readyAt = readyAt
    }

    func advanced(to now: Date) -> Advanced<Self> {
        var outcome = Advanced(record: self, changed: false)
        var record = self
        while let ready = record.readyAt, ready <= now, let next = record.settlement() {
            if let message = record.event(from: record.status, to: next) {
                outcome.events.append((ready, message))
            }
            outcome.changed = true
            switch next {
            case .removed:
                outcome.record = nil
                return outcome
            case .becomes(let status):
                let old = record.status
                record.status = status
                record.readyAt = nil
                record.settled(from: old, at: ready)
            }
        }
        outcome.record = record
        return outcome
    }
}

/// Resources the tagging operations reach by ARN (`arn:aws:elasticache:region:account:TYPE:id`).
protocol TaggableResource: ElastiCacheResource {
    /// The ARN's resource type (`serverlesscache`).
    static var arnType: String { get }
    var tags: [TagRecord] { get set }
}
