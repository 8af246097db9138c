#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The milliseconds the in-process backends count in.
public struct RateLimitClock: Sendable {
    /// The current time in milliseconds.
    public let now: @Sendable () -> Int64

    /// A clock reading `now`; tests pass one they advance by hand.
    public init(_ now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    /// `CLOCK_MONOTONIC`: never set back by NTP, and on Linux the same for
    /// every process of the machine, which the shared table relies on.
    public static let monotonic = RateLimitClock {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
