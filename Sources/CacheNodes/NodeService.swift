import ElastiCache
import ServiceLifecycle

/// Keeps node processes in step with the stored clusters on every tick, and stops them all
/// when the server shuts down.
package struct NodeService: Service {
    let supervisor: NodeSupervisor
    let tick: Duration
    /// The stored clusters of every account and region.
    let clusters: @Sendable () async -> [CacheClusterRecord]

    package init(
        supervisor: NodeSupervisor, tick: Duration, clusters: @escaping @Sendable () async -> [CacheClusterRecord]
    ) {
        self.supervisor = supervisor
        self.tick = tick
        self.clusters = clusters
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await supervisor.reconcile(await clusters())
                try? await Task.sleep(for: tick)
            }
        } onGracefulShutdown: {
        }
        await supervisor.stopAll()
    }
}
