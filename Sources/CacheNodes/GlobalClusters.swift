import Logging

/// Global datastores in cluster mode: Redis Cluster refuses REPLICAOF, so a secondary region's
/// nodes join the primary region's cluster as replicas of its shards (``ReplicationLayout``
/// joins them; formation places them as any replica), and a failover of the datastore is the
/// ordinary handover to a stored primary that runs as a replica. A secondary that leaves the
/// datastore (DisassociateGlobalReplicationGroup) is separated here with its data.
extension NodeSupervisor {
    /// When `group` (not joined to another) runs as replicas of masters outside it, a secondary
    /// that left its global datastore: the others forget its nodes, its shard primaries take
    /// their shards over with the data they replicated (CLUSTER FAILOVER TAKEOVER, which the
    /// others no longer hear), its replicas follow them, and its nodes forget the others. Its
    /// formation then goes on as for any group. Answers whether it separated the group.
    func separate(_ group: ReplicationLayout.Group, layout: ReplicationLayout) async -> Bool {
        guard let ids = clusterIds(group.nodes) else { return false }
        let own = Set(ids.values)
        /// Per shard, the node that takes it over: its stored primary when that follows a master
        /// outside the group, else a replica of the shard that does. Each node's role is read
        /// from its own view (another node's may not have heard of the last failover yet, and a
        /// shard missed here would lose its master to the FORGETs below).
        var takeovers: [(node: String, shard: ReplicationLayout.Shard)] = []
        for shard in group.shards {
            let nodes = (shard.primary.map { [$0] } ?? []) + shard.replicas
            let captive = nodes.first { node in
                guard let line = view(node).first(where: { $0.id == ids[node] }), line.isReplica,
                    let master = line.master
                else { return false }
                return !own.contains(master)
            }
            if let captive { takeovers.append((captive, shard)) }
        }
        guard !takeovers.isEmpty else { return false }
        logger.info("separating a former global datastore secondary", metadata: ["group": .string(group.arn)])
        for other in layout.groups.flatMap(\.nodes) where ids[other] == nil {
            for id in own { _ = ask(other, ["CLUSTER", "FORGET", id]) }
        }
        for (node, shard) in takeovers {
            _ = ask(node, ["CLUSTER", "FAILOVER", "TAKEOVER"])
            // Not taken over yet: nothing is forgotten on this side, so the next pass finds the
            // node still following its foreign master and tries again.
            guard await until({ self.view(node).first { $0.id == ids[node] }?.isReplica == false }) else {
                logger.warning("a shard's takeover is not done yet", metadata: ["node": .string(node)])
                return false
            }
            // The shard's other nodes follow it; formation hands the shard to its stored primary.
            let others = ((shard.primary.map { [$0] } ?? []) + shard.replicas).filter { $0 != node }
            for other in others { _ = ask(other, ["CLUSTER", "REPLICATE", ids[node] ?? ""]) }
        }
        for node in group.nodes {
            for id in Set(view(node).map(\.id)).subtracting(own) { _ = ask(node, ["CLUSTER", "FORGET", id]) }
        }
        return true
    }
}
