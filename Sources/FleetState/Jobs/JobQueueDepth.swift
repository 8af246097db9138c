/// How many jobs a queue holds in each state, for metrics and autoscaling.
public struct JobQueueDepth: Sendable, Equatable {
    public var waiting: Int
    public var delayed: Int
    public var active: Int
    public var dead: Int
    /// Age of the oldest job waiting to be claimed; nil when none waits.
    public var oldestWaitingAge: Duration?

    public init(waiting: Int, delayed: Int, active: Int, dead: Int, oldestWaitingAge: Duration?) {
        self.waiting = waiting
        self.delayed = delayed
        self.active = active
        self.dead = dead
        self.oldestWaitingAge = oldestWaitingAge
    }
}
