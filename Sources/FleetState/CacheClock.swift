#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The cache's time: monotonic nanoseconds for deadlines in this process, and
/// wall-clock milliseconds for deadlines stored in Redis, which other
/// machines read. Reading it is a vDSO call, with no allocation.
final class CacheClock: Sendable {
    /// Added to both clocks; only tests move it, to expire entries without sleeping.
    private let skew = Atomic<Int64>(0)

    /// Monotonic nanoseconds.
    func now() -> Int64 {
        Self.read(CLOCK_MONOTONIC) + self.skew.load(ordering: .relaxed)
    }

    /// Milliseconds since the Unix epoch.
    func wallMilliseconds() -> Int64 {
        (Self.read(CLOCK_REALTIME) + self.skew.load(ordering: .relaxed)) / 1_000_000
    }

    /// Moves both clocks forward, as if `duration` had passed.
    func advance(by duration: Duration) {
        self.skew.add(Self.nanoseconds(duration), ordering: .relaxed)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
