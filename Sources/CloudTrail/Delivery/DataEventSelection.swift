import AWSModels
import Persistence
import ServiceContract

/// Whether any logging trail of an account asks for a data event; data events are recorded
/// only then.
package enum DataEventSelection {
    package static func wanted(_ call: CallContext, readOnly: Bool, in tx: any StateReader) throws -> Bool {
        let entry = JournalEntry(
            eventID: "", account: call.principal.accountId, region: call.region, eventTime: call.time,
            eventName: call.eventName, eventSource: "\(call.model.metadata.endpointPrefix).amazonaws.com",
            readOnly: readOnly, username: nil, accessKeyId: nil, record: "", management: false,
            resourceArn: call.dataResources.first?.arn, resourceType: call.dataResources.first?.type)
        return try wanted(entry, in: tx)
    }

    /// Whether a logging trail of the entry's account and region selects it.
    package static func wanted(_ entry: JournalEntry, in tx: any StateReader) throws -> Bool {
        for trail in try tx.list(TrailRecord.self, kind: TrailRecord.kind, scope: TrailRecord.scope)
        where trail.account == entry.account && trail.logging
            && (trail.isMultiRegion || trail.homeRegion == entry.region)
        {
            if EventSelectors(trail: trail).matches(entry, trail: trail) { return true }
        }
        return false
    }
}
