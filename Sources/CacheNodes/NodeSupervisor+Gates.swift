import ElastiCache
import Logging
import NIOPosix

/// Node endpoints cachetrail serves itself: a node of a replication group with IAM-authenticated
/// users takes IAM auth tokens there, as the group's endpoints do, and a node of a group or
/// cluster with in-transit encryption speaks TLS there. Each such node gets a port with a gate
/// in front of the node, which its node endpoint names; in cluster mode the node announces it
/// too, since a cluster client connects to every node CLUSTER SLOTS names (the node's own port
/// still serves the supervisor, and the other nodes meet and replicate there).
extension NodeSupervisor {
    nonisolated static func gateKey(_ node: String) -> String { node + "/gate" }

    /// Whether the nodes of `group` (a replication group's ARN) are gated.
    nonisolated func gated(_ group: String) -> Bool {
        iamUsers.any(group) || transit.mode(group) != nil
    }

    /// Whether the nodes of standalone cluster `cluster` are gated (in-transit encryption).
    nonisolated func gated(_ cluster: CacheClusterRecord) -> Bool {
        cluster.replicationGroupId == nil && transit.mode(cluster.arn) != nil
    }

    /// The port node `key` announces: its gate's when its cluster-mode group has IAM users or
    /// in-transit encryption.
    func gatePort(of key: String, clusterModeGroup group: String?, settings: NodeSettings?) -> Int? {
        guard let group else { return nil }
        guard settings?.users?.contains(where: \.iam) == true || transit.mode(group) != nil else { return nil }
        return ports.port(for: Self.gateKey(key))
    }

    /// The IAM gate of `group`'s endpoints: an IAM-authenticated user's token is verified and
    /// exchanged for the node password only cachetrail knows; any other sign-in passes.
    func iamGate(_ group: String) -> IAMAuthGate.Policy {
        IAMAuthGate.Policy(
            check: { [iamUsers, connectVerifier, supervisorSecret] user, token in
                guard iamUsers.contains(group, user) else { return .passThrough }
                guard await connectVerifier(group, user, token) else { return .refuse }
                return .password(NodeEngines.iamPassword(user, secret: supervisorSecret))
            },
            watching: { [iamUsers] in iamUsers.any(group) }, now: { [connectVerifier] in connectVerifier.now() })
    }

    /// One gate per node that needs one (as ``reconcileGroupEndpoints`` set the groups' IAM
    /// users this pass): nodes of gated groups, and of standalone clusters (`clusters`) with
    /// in-transit encryption; gates of nodes that no longer need one are closed.
    func reconcileNodeGates(_ layout: ReplicationLayout, clusters: [CacheClusterRecord]) async {
        var wanted: [String: (node: String, owner: String, iam: Bool)] = [:]
        for group in layout.groups where !group.serverless && gated(group.arn) {
            for node in group.nodes { wanted[Self.gateKey(node)] = (node, group.arn, true) }
        }
        for cluster in clusters where gated(cluster) {
            for node in cluster.nodes {
                let key = Self.key(cluster, nodeId: node.id)
                wanted[Self.gateKey(key)] = (key, cluster.arn, false)
            }
        }
        for (key, gate) in nodeGates where wanted[key] == nil {
            await gate.stop()
            nodeGates[key] = nil
            ports.release(key)
        }
        for (key, want) in wanted where nodeGates[key] == nil {
            do {
                nodeGates[key] = try await NodeProxy.start(
                    group: MultiThreadedEventLoopGroup.singleton, host: host, port: ports.port(for: key),
                    tls: tls(want.owner), gate: want.iam ? iamGate(want.owner) : nil
                ) { [ports] in ports.port(for: want.node) }
            } catch {
                logger.error("node gate did not start", metadata: ["node": .string(want.node), "error": "\(error)"])
            }
        }
    }
}
