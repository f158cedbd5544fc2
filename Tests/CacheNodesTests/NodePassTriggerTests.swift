import Testing

@testable import CacheNodes

/// The node service's wait ends when a change is fired, not at its tick.
struct NodePassTriggerTests {
    @Test(.timeLimit(.minutes(1))) func aFireEndsTheWaitAndAnEarlierFireIsNotLost() async {
        let trigger = NodePassTrigger()
        let clock = ContinuousClock()
        let started = clock.now
        // Fired while no pass waits: the next wait returns at once, not after its day.
        trigger.fire()
        await trigger.wait(upTo: .seconds(86_400))
        // Fired while a pass waits (or just before it starts waiting): it returns as well.
        async let waited: Void = trigger.wait(upTo: .seconds(86_400))
        trigger.fire()
        await waited
        #expect(clock.now - started < .seconds(30))
    }
}
