import ServiceLifecycle

/// Keeps node processes in step with the stored clusters on every tick, and stops them all
/// when the server shuts down.
package struct NodeService: Service {
    let supervisor: NodeSupervisor
    let tick: Duration
    /// One reconciliation of the supervisor with the stored clusters.
    let pass: @Sendable (NodeSupervisor) async -> Void

    package init(supervisor: NodeSupervisor, tick: Duration, pass: @escaping @Sendable (NodeSupervisor) async -> Void) {
        self.supervisor = supervisor
        self.tick = tick
        self.pass = pass
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await pass(supervisor)
                try? await Task.sleep(for: tick)
            }
        } onGracefulShutdown: {
        }
        await supervisor.stopAll()
    }
}
