import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// One ElastiCache call as every family sees it: the decoded call, the transaction it runs in,
/// the service's settings, and the account and region its resources live in.
struct ElastiCacheCall {
    let call: OperationCall
    let tx: any StateWriter
    let settings: ElastiCacheSettings

    /// Regional resources are stored under `account/region`.
    var scope: String { "\(call.account)/\(call.region)" }

    /// When a transient status that begins now ends.
    var readyAt: Date { call.now.addingTimeInterval(settings.lifecycleSeconds) }

    /// The ARN of a regional resource of this call's account and region.
    func arn(_ type: String, _ id: String) -> String { call.elastiCacheARN(type, id) }

    /// The default VPC of this call's account and region (subnet groups and snapshots name it).
    var vpcId: String { "vpc-\(SyntheticEndpoints.hash(call.account + call.region))" }

    /// A list-of-strings member of the input.
    func strings(_ member: MemberName) -> [String]? { call.strings(member) }

    /// The table of `Record`'s family in this call's region (or in `scope`).
    func table<Record: ElastiCacheResource>(_ type: Record.Type, scope: String? = nil) -> ResourceTable<Record> {
        ResourceTable(context: self, scope: scope ?? Record.scope(account: call.account, region: call.region))
    }
}

/// What an ElastiCache call derives from its input alone, also before any transaction (a
/// staged create).
extension OperationCall {
    /// The ARN of a regional resource of this call's account and region.
    func elastiCacheARN(_ type: String, _ id: String) -> String {
        partition.arn("elasticache", region: region, account: account, "\(type):\(id)")
    }

    /// A list-of-strings member of the input.
    func strings(_ member: MemberName) -> [String]? {
        input[member: member.rawValue]?.listValue?.compactMap(\.stringValue)
    }
}
