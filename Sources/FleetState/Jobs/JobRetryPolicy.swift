import Foundation

/// Exponential backoff with full jitter between a failed attempt and the next:
/// attempt n waits a random time up to `min(cap, base * factor^(n-1))`, so
/// jobs that failed together (a database down) do not all retry together.
public struct JobRetryPolicy: Sendable, Equatable {
    /// The ceiling of the first retry's wait. Default 1 s.
    public var base: Duration
    /// How much the ceiling grows per attempt. Default 2.
    public var factor: Double
    /// The largest ceiling. Default 10 minutes.
    public var cap: Duration

    public init(base: Duration = .seconds(1), factor: Double = 2, cap: Duration = .seconds(600)) {
        self.base = base
        self.factor = factor
        self.cap = cap
    }

    /// The wait before retrying after failed attempt `attempt` (1-based).
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(cap.inSeconds, base.inSeconds * pow(factor, Double(max(0, attempt - 1))))
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int64(Double.random(in: 0...ceiling) * 1000))
    }
}

extension Duration {
    fileprivate var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
