import Foundation
import Logging

/// Cluster mode: the nodes of a cluster-mode group form one Redis Cluster as its stored shards
/// say. New nodes meet the others, a new cluster's primaries take their shards' slots, replicas
/// follow their shard's primary, a stored primary that runs as a replica takes over (TestFailover,
/// or a crash's failover recorded before Redis made its own), new shards receive slots and their
/// keys (`redis-cli --cluster rebalance --cluster-use-empty-masters`), and a leaving shard hands
/// its slots and keys to the others (`--cluster-weight <id>=0`) before it is forgotten and stopped.
extension NodeSupervisor {
    /// Forms each cluster-mode group whose processes all answer; its nodes count as ready only
    /// once the cluster is what the group describes (so its members, and the group, become
    /// available only then).
    func reconcileClusters(_ layout: ReplicationLayout, answering: Set<String>) async {
        // A global datastore's secondary forms with its primary's cluster.
        for group in layout.groups where group.clusterMode && group.joinedTo == nil {
            var formed = false
            if !group.nodes.isEmpty, group.nodes.allSatisfy(answering.contains) {
                formed = isFormed(group)
                if !formed, await separate(group, layout: layout) {
                    formed = await until(seconds: 10) { self.isFormed(group) }
                }
                if !formed {
                    await form(group)
                    // Gossip spreads slots and roles within a second or two.
                    formed = await until(seconds: 10) { self.isFormed(group) }
                }
                // A restore of another shape brings its keys in once the cluster is up.
                if formed { formed = await importRestoredData(group) }
            }
            for node in group.nodes { readiness.set(node, formed) }
        }
    }

    /// Whether every one of `nodes` sees the cluster up.
    private func clusterUp(_ nodes: [String]) -> Bool {
        nodes.allSatisfy { ask($0, ["CLUSTER", "INFO"])?.text?.contains("cluster_state:ok") == true }
    }

    /// The cluster is up, every shard's primary holds slots and every replica follows it.
    private func isFormed(_ group: ReplicationLayout.Group) -> Bool {
        guard let first = group.nodes.first,
            ask(first, ["CLUSTER", "INFO"])?.text?.contains("cluster_state:ok") == true
        else { return false }
        guard let ids = clusterIds(group.nodes) else { return false }
        let current = view(first)
        return group.shards.allSatisfy { shard in
            guard let primary = shard.primary, let line = current.first(where: { $0.id == ids[primary] }) else {
                return false
            }
            return !line.isReplica && !line.slots.isEmpty
                && shard.replicas.allSatisfy { replica in current.first { $0.id == ids[replica] }?.master == line.id }
        }
    }

    private func form(_ group: ReplicationLayout.Group) async {
        let nodes = group.nodes
        guard let ids = clusterIds(nodes), let first = nodes.first else { return }
        // Every node meets every node it does not know yet (waiting for gossip to introduce
        // them takes seconds).
        for node in nodes {
            let known = Set(view(node).map(\.id))
            for other in nodes where other != node && !known.contains(ids[other] ?? "") {
                guard let port = running[other]?.port else { continue }
                _ = ask(node, ["CLUSTER", "MEET", host, String(port)])
            }
        }
        let everyone = Set(ids.values)
        await until { nodes.allSatisfy { Set(self.view($0).map(\.id)).isSuperset(of: everyone) } }
        // Each primary takes its shard's slots that no node holds yet: all of them in a new
        // cluster; the rest of them when restored nodes claimed the slots of the keys they
        // loaded (a shard added later gets its slots by rebalancing, below). What a node holds
        // is asked of the node itself: another's view may not have heard of its claims yet,
        // and ADDSLOTSRANGE with one slot the node already holds adds none.
        var held = IndexSet()
        for node in nodes {
            for line in view(node) where line.id == ids[node] {
                for range in line.slots { held.insert(integersIn: range) }
            }
        }
        var claimed = false
        for shard in group.shards {
            guard let primary = shard.primary, let ranges = SlotRanges(shard.slots) else { continue }
            var missing = IndexSet()
            for range in ranges.ranges { missing.insert(integersIn: range) }
            missing.subtract(held)
            guard !missing.isEmpty else { continue }
            claimed = claimed || !held.isEmpty
            let free = SlotRanges(missing.rangeView.map { $0.lowerBound...($0.upperBound - 1) })
            if case .error(let message) = ask(primary, ["CLUSTER", "ADDSLOTSRANGE"] + free.arguments) {
                logger.error("slots not taken", metadata: ["node": .string(primary), "error": .string(message)])
            }
        }
        await placeReplicas(group, ids: ids)
        // New shards (primaries without slots) get their share, keys included.
        let empty = group.shards.compactMap(\.primary).filter { primary in
            view(primary).first { $0.id == ids[primary] }?.slots.isEmpty ?? false
        }
        if claimed, await until(seconds: 10, { self.clusterUp(nodes) }) {
            // Slots a restored node claimed may lie outside its shard's stored range: the
            // group describes what the nodes hold — once they hold every slot (a cluster not
            // up keeps the stored ranges, for the next pass to form it by).
            await reportSlots(group, ids: ids, through: first)
        }
        if !empty.isEmpty {
            // A node that joined moments ago refuses keys (CLUSTERDOWN) until it sees the cluster up.
            await until(seconds: 10) { self.clusterUp(nodes) }
            await rebalance(through: first, ["--cluster-use-empty-masters"])
            await reportSlots(group, ids: ids, through: first)
        }
    }

    /// Replicas follow their shard's primary; a stored primary that runs as its shard's replica
    /// takes over with CLUSTER FAILOVER (its primary is alive: a coordinated handover).
    private func placeReplicas(_ group: ReplicationLayout.Group, ids: [String: String]) async {
        guard let first = group.nodes.first else { return }
        for shard in group.shards {
            guard let primary = shard.primary, let primaryId = ids[primary] else { continue }
            let current = view(first)
            let primaryLine = current.first { $0.id == primaryId }
            if primaryLine?.isReplica == true,
                let master = primaryLine?.master, shard.replicas.contains(where: { ids[$0] == master })
            {
                _ = ask(primary, ["CLUSTER", "FAILOVER"])
                await until { self.view(primary).first { $0.id == primaryId }?.isReplica == false }
            }
            for replica in shard.replicas {
                guard let replicaId = ids[replica],
                    view(first).first(where: { $0.id == replicaId })?.master != primaryId
                else { continue }
                await until { self.ask(replica, ["CLUSTER", "REPLICATE", primaryId]) == .simple("OK") }
            }
        }
    }

    /// Hands the slots of leaving cluster-mode nodes to the group's other primaries, then has
    /// the remaining nodes forget them.
    func drainLeavingNodes(_ leaving: [String], layout: ReplicationLayout) async {
        var departures: [(group: ReplicationLayout.Group, id: String)] = []
        for key in leaving {
            guard let arn = clusterNodes[key], let group = layout.groups.first(where: { $0.arn == arn }),
                let id = ask(key, ["CLUSTER", "MYID"])?.text
            else { continue }
            departures.append((group, id))
        }
        for group in Set(departures.map(\.group.arn)).sorted() {
            guard let members = layout.groups.first(where: { $0.arn == group }),
                let anchor = members.nodes.first(where: { readiness.contains($0) && running[$0] != nil })
            else { continue }
            let ids = departures.filter { $0.group.arn == group }.map(\.id)
            let holding = view(anchor).filter { ids.contains($0.id) && !$0.slots.isEmpty }.map(\.id)
            if !holding.isEmpty {
                await until(seconds: 10) { self.clusterUp(members.nodes.filter { self.running[$0] != nil }) }
                await rebalance(through: anchor, ["--cluster-weight"] + holding.map { "\($0)=0" })
            }
            for node in members.nodes where running[node] != nil {
                for id in ids { _ = ask(node, ["CLUSTER", "FORGET", id]) }
            }
            var memberIds: [String: String] = [:]
            for node in members.nodes { memberIds[node] = ask(node, ["CLUSTER", "MYID"])?.text }
            await reportSlots(members, ids: memberIds, through: anchor)
        }
    }

    /// `redis-cli --cluster rebalance` through `node`, the token in its environment (never in
    /// its arguments); its output goes to the node's directory.
    private func rebalance(through node: String, _ options: [String]) async {
        guard let tool = engines.clusterTool, let running = running[node] else {
            logger.error("no redis-cli to move slots with", metadata: ["node": .string(node)])
            return
        }
        let status = await NodeProcess.run(
            tool,
            arguments: ["--user", NodeEngines.supervisorUser, "--cluster", "rebalance", "\(host):\(running.port)"]
                + options,
            log: nodeDirectory(node) + "/rebalance.log", environment: ["REDISCLI_AUTH": supervisorSecret])
        if status != 0 {
            logger.error("rebalance failed", metadata: ["node": .string(node), "status": "\(status ?? -1)"])
        }
    }

    /// Tells ElastiCache which slots each shard's primary now holds.
    private func reportSlots(_ group: ReplicationLayout.Group, ids: [String: String], through node: String) async {
        let current = view(node)
        var slots: [String: String] = [:]
        for shard in group.shards {
            guard let primary = shard.primary, let line = current.first(where: { $0.id == ids[primary] }) else {
                continue
            }
            slots[shard.id] = SlotRanges(line.slots).description
        }
        await slotsReporter?(group.arn, slots)
    }

    /// Each node's cluster id (CLUSTER MYID), or nil when one does not answer.
    func clusterIds(_ nodes: [String]) -> [String: String]? {
        var ids: [String: String] = [:]
        for node in nodes {
            guard let id = ask(node, ["CLUSTER", "MYID"])?.text else { return nil }
            ids[node] = id
        }
        return ids
    }

    /// One command on `node`, as the supervisor's own user; its reply.
    func ask(_ node: String, _ command: [String]) -> RESPReply? {
        guard let running = running[node],
            let replies = NodeProbe.replies(host: host, port: running.port, [supervisorLogin, command]),
            replies.count == 2
        else { return nil }
        return replies.last
    }

    /// The cluster as `node` sees it (CLUSTER NODES).
    func view(_ node: String) -> [ClusterNodeLine] {
        ask(node, ["CLUSTER", "NODES"])?.text.map(ClusterNodeLine.parse) ?? []
    }

    /// Polls `condition` for up to `seconds` (gossip and failovers take a moment); answers
    /// whether it came true.
    @discardableResult
    func until(seconds: Int = 5, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        while await !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}

/// One line of CLUSTER NODES: `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slots>…`.
struct ClusterNodeLine: Equatable {
    var id: String
    var flags: Set<String>
    /// The primary's id, for a replica.
    var master: String?
    var slots: [ClosedRange<Int>]

    var isReplica: Bool { flags.contains("slave") }

    static func parse(_ text: String) -> [ClusterNodeLine] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 8 else { return nil }
            let slots = fields.dropFirst(8).compactMap { field -> ClosedRange<Int>? in
                // `[slot->-id]` marks a slot being migrated, not one held.
                guard !field.hasPrefix("[") else { return nil }
                return SlotRanges.range(field)
            }
            return ClusterNodeLine(
                id: fields[0], flags: Set(fields[2].split(separator: ",").map(String.init)),
                master: fields[3] == "-" ? nil : fields[3], slots: slots)
        }
    }
}

/// Hash slot ranges as ElastiCache writes them (`0-5460`, several joined by commas).
struct SlotRanges: Equatable, CustomStringConvertible {
    var ranges: [ClosedRange<Int>]

    init(_ ranges: [ClosedRange<Int>]) {
        self.ranges = ranges.sorted { $0.lowerBound < $1.lowerBound }
    }

    init?(_ text: String) {
        let ranges = text.split(separator: ",").map { Self.range(String($0)) }
        guard !ranges.isEmpty, ranges.allSatisfy({ $0 != nil }) else { return nil }
        self.init(ranges.compactMap { $0 })
    }

    /// `5` or `0-5460`.
    static func range(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        switch bounds.count {
        case 1: return bounds[0].map { $0...$0 }
        case 2:
            guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
            return low...high
        default: return nil
        }
    }

    /// ADDSLOTSRANGE's arguments: each range's first and last slot.
    var arguments: [String] { ranges.flatMap { [String($0.lowerBound), String($0.upperBound)] } }

    var description: String { ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",") }
}
