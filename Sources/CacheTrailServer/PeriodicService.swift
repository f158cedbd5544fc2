import ServiceLifecycle

/// Background work that runs a pass on every tick until the server shuts down (delivery,
/// lifecycle rules). Each pass is also callable directly, as the manual clock does.
struct PeriodicService: Service {
    let tick: Duration
    let pass: @Sendable () async -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await pass()
                try? await Task.sleep(for: tick)
            }
        } onGracefulShutdown: {
        }
    }
}
