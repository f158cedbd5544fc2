import ElastiCache
import Logging
import NIOPosix

/// Replication groups with IAM-authenticated users: a client may connect to any node endpoint
/// and sign in there with its IAM auth token, as at the group's endpoints. Each node of such a
/// group gets a port cachetrail serves with the group's IAM gate in front of the node, which
/// its node endpoint names; in cluster mode the node announces it too, since a cluster client
/// connects to every node CLUSTER SLOTS names (the node's own port still serves the supervisor,
/// and the other nodes meet and replicate there).
extension NodeSupervisor {
    nonisolated static func gateKey(_ node: String) -> String { node + "/gate" }

    /// The port node `key` announces: its gate's when its cluster-mode group has IAM users.
    func gatePort(of key: String, cluster: CacheClusterRecord, settings: NodeSettings?) -> Int? {
        guard cluster.groupClusterMode == true, settings?.users?.contains(where: \.iam) == true else { return nil }
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

    /// One gate per node of a group with IAM users (as ``reconcileGroupEndpoints`` set them
    /// this pass); gates of nodes that no longer need one are closed.
    func reconcileNodeGates(_ layout: ReplicationLayout) async {
        var wanted: [String: (node: String, group: String)] = [:]
        for group in layout.groups where !group.serverless && iamUsers.any(group.arn) {
            for node in group.nodes { wanted[Self.gateKey(node)] = (node, group.arn) }
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
                    gate: iamGate(want.group)
                ) { [ports] in ports.port(for: want.node) }
            } catch {
                logger.error("node gate did not start", metadata: ["node": .string(want.node), "error": "\(error)"])
            }
        }
    }
}
