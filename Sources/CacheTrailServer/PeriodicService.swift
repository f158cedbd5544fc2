import ServiceLifecycle

/// Background work that runs a pass on every tick until the server shuts down (delivery,
/// lifecycle rules). Each pass is also callable directly, as the manual clock does.
struct PeriodicService: Service {
    let tick: Duration
    /// One pass; true when it did work and more may be due at once (a delivery backlog), so
    /// the next pass starts without waiting for the tick.
    let pass: @Sendable () async -> Bool

    func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if await pass() {
                    await Task.yield()
                } else {
                    try? await Task.sleep(for: tick)
                }
            }
        } onGracefulShutdown: {
        }
    }
}
