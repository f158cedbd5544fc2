/// The states families share.
///
/// A cache (replication group, serverless cache): `creating` → `available`;
/// `modifying` → `available`; `deleting` → gone.
package enum CacheStatus: String, Sendable, ResourceStatus {
    case creating, available, modifying, deleting

    var settlement: Settlement<CacheStatus>? {
        switch self {
        case .creating, .modifying: .becomes(.available)
        case .deleting: .removed
        case .available: nil
        }
    }
}

/// A snapshot (of a cluster, a replication group or a serverless cache): `creating` →
/// `available`. A delete removes the row at once; `deleting` is what the delete call answers.
enum SnapshotStatus: String, ResourceStatus {
    case creating, available, deleting

    var settlement: Settlement<SnapshotStatus>? {
        switch self {
        case .creating: .becomes(.available)
        case .deleting: .removed
        case .available: nil
        }
    }
}
