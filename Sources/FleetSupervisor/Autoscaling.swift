/// How the supervisor scales a job-worker app on the jobs waiting in its queue:
/// `ceil(waiting / waitingPerInstance)` workers between `minInstances` and
/// `maxInstances`, as Kubernetes' HPA with an `AverageValue` target does. Up at
/// once; down only to the highest count recommended over `scaleDownWindow`.
public struct Autoscaling: Sendable, Equatable {
    /// The fewest workers. Default 1.
    public var minInstances: Int = 1
    /// The most workers. Default 4.
    public var maxInstances: Int = 4
    /// The waiting jobs one worker is meant to face. Default 10.
    public var waitingPerInstance: Int = 10
    /// How long a lower recommendation must hold before the app shrinks to it
    /// (HPA's scale-down stabilization window). Default 60 s.
    public var scaleDownWindow: Duration = .seconds(60)
    /// How often the supervisor decides. Default 1 s.
    public var interval: Duration = .seconds(1)
    /// A backlog report older than this is not acted on (the workers stopped reporting). Default 10 s.
    public var staleAfter: Duration = .seconds(10)

    public init() {}
}

/// The autoscaler's memory: recent recommendations, so a short dip in the
/// backlog does not shrink the fleet (no flapping), while a rise grows it at once.
struct AutoscalerState {
    let policy: Autoscaling
    private(set) var recommendations: [(at: ContinuousClock.Instant, instances: Int)] = []

    init(policy: Autoscaling) {
        self.policy = policy
    }

    /// The workers `waiting` jobs call for, within the bounds.
    func recommendation(waiting: Int) -> Int {
        let wanted = (max(0, waiting) + self.policy.waitingPerInstance - 1) / self.policy.waitingPerInstance
        return min(self.policy.maxInstances, max(self.policy.minInstances, wanted))
    }

    /// Records the backlog seen `now` and returns the worker count to scale to, or nil to stay at `current`.
    mutating func decide(waiting: Int, current: Int, now: ContinuousClock.Instant) -> Int? {
        let recommended = self.recommendation(waiting: waiting)
        self.recommendations.append((now, recommended))
        self.recommendations.removeAll { now - $0.at > self.policy.scaleDownWindow }
        if recommended > current { return recommended }
        // Down to the highest recommendation of the window: the fleet shrinks only when the backlog stayed low.
        let stabilized = self.recommendations.map(\.instances).max() ?? recommended
        return stabilized < current ? stabilized : nil
    }
}
