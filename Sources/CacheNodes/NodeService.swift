import ServiceLifecycle
import Synchronization

/// Keeps node processes in step with the stored clusters on every tick, and stops them all
/// when the server shuts down.
package struct NodeService: Service {
    let supervisor: NodeSupervisor
    let tick: Duration
    let wake: NodePassTrigger
    /// One reconciliation of the supervisor with the stored clusters.
    let pass: @Sendable (NodeSupervisor) async -> Void

    package init(
        supervisor: NodeSupervisor, tick: Duration, wake: NodePassTrigger,
        pass: @escaping @Sendable (NodeSupervisor) async -> Void
    ) {
        self.supervisor = supervisor
        self.tick = tick
        self.wake = wake
        self.pass = pass
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await pass(supervisor)
                await wake.wait(upTo: tick)
            }
        } onGracefulShutdown: {
        }
        await supervisor.stopAll()
    }
}

/// Ends the node service's wait before its tick is up: fired when a change the nodes follow has
/// committed. A fire while no pass waits makes the next wait return at once.
package final class NodePassTrigger: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    package init() {}

    package func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when fired, or after `timeout`.
    func wait(upTo timeout: Duration) async {
        let fired = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        guard !fired else { return }
        let timer = Task { [self] in
            // Cancelled (fired first): no fire of its own.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            fire()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
        timer.cancel()
    }
}
