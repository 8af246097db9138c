import Atomics
import FleetState

/// A clock the test moves by hand, so no test waits on real time.
final class ManualClock: Sendable {
    private let milliseconds = ManagedAtomic<Int64>(1_000_000)

    var clock: RateLimitClock {
        RateLimitClock { self.milliseconds.load(ordering: .relaxed) }
    }

    func advance(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.milliseconds.wrappingIncrement(by: seconds * 1000 + attoseconds / 1_000_000_000_000_000, ordering: .relaxed)
    }
}

extension RateLimitMemoryBackend {
    /// `count` single checks of `key` in a row: how many were allowed.
    func allowed(_ count: Int, _ policy: RateLimitPolicy, key: String = "client") -> Int {
        (0..<count).filter { _ in self.acquireNow([RateLimitCheck(policy: policy, key: key)]).isAllowed }.count
    }
}
