/// Runs background passes over the store one after another, in the order they were asked for:
/// a pass started while another commits would find its reads changed (or its work done twice).
package actor SerialPasses {
    private var last: Task<Void, Never>?

    package init() {}

    package func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        let previous = last
        let task = Task {
            await previous?.value
            return await body()
        }
        last = Task { _ = await task.value }
        return await task.value
    }
}
