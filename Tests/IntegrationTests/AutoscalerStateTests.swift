@testable import FleetSupervisor
import Testing

/// The supervisor's autoscaling decisions, on a clock the test moves: up at once, down only after the window.
struct AutoscalerStateTests {
    func policy() -> Autoscaling {
        var policy = Autoscaling()
        policy.minInstances = 1
        policy.maxInstances = 4
        policy.waitingPerInstance = 10
        policy.scaleDownWindow = .seconds(60)
        return policy
    }

    @Test func recommendsCeilOfBacklogOverTargetWithinBounds() {
        let state = AutoscalerState(policy: self.policy())
        #expect(state.recommendation(waiting: 0) == 1)
        #expect(state.recommendation(waiting: 10) == 1)
        #expect(state.recommendation(waiting: 11) == 2)
        #expect(state.recommendation(waiting: 35) == 4)
        #expect(state.recommendation(waiting: 10_000) == 4)
    }

    @Test func scalesUpAtOnceAndDownOnlyAfterTheWindow() {
        var state = AutoscalerState(policy: self.policy())
        let start = ContinuousClock.now
        #expect(state.decide(waiting: 35, current: 1, now: start) == 4, "a backlog scales up in one step")
        #expect(state.decide(waiting: 0, current: 4, now: start + .seconds(10)) == nil, "a drained queue inside the window keeps the workers")
        #expect(state.decide(waiting: 15, current: 4, now: start + .seconds(30)) == nil)
        #expect(state.decide(waiting: 0, current: 4, now: start + .seconds(61)) == 2, "down to the highest count of the window")
        #expect(state.decide(waiting: 0, current: 2, now: start + .seconds(91)) == 1)
        #expect(state.decide(waiting: 0, current: 1, now: start + .seconds(200)) == nil)
    }
}
