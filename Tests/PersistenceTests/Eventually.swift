/// Polls (without sleeping) until `condition` holds; false if it has not within `limit`. For
/// what another thread of the store does on its own (a commit group, the checkpointer): the
/// limit only bounds a failing test, a passing one returns as soon as the condition holds (a
/// count of yields ran out in ~1.5 s, too soon for a thread not yet scheduled on a busy machine).
func eventually(within limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while clock.now < deadline {
        if condition() { return true }
        await Task.yield()
    }
    return condition()
}
