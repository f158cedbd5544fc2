/// Polls (without sleeping) until `condition` holds; false if it never does. For what another
/// thread of the store does on its own (a commit group, the checkpointer).
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<5_000_000 {
        if condition() { return true }
        await Task.yield()
    }
    return false
}
