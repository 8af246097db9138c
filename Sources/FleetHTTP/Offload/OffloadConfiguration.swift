import NIOCore

/// The size of an `Offload` pool: how many jobs run at once and how many may wait.
///
/// Size `threads` by what the jobs do: CPU-bound work gains nothing past the
/// cores (and each thread taken from the event loops' cores slows them), while
/// blocking calls (a C library doing file or network I/O) may want more.
/// `queueLimit` bounds the wait: a job waits at most about
/// `queueLimit / threads` job durations before it starts, or is refused.
public struct OffloadConfiguration: Sendable {
    /// `OFFLOAD_THREADS`: jobs that run at once, each on its own thread. Default: the number of cores.
    public var threads: Int = System.coreCount
    /// `OFFLOAD_QUEUE`: jobs that may wait for a thread; one more is refused with a 503. `0` refuses
    /// whenever every thread is busy. Default 64.
    public var queueLimit: Int = 64
    /// The `Retry-After` a refused request carries. Default 1 s.
    public var retryAfter: Duration = .seconds(1)
    /// The `pool` label of the pool's metrics. Default `default`.
    public var name: String = "default"

    /// The defaults, as documented on each property.
    public init() {}
}

extension FleetConfiguration {
    mutating func readOffload(_ env: EnvironmentReader) throws(ConfigurationError) {
        self.offload.threads = try env.integer("OFFLOAD_THREADS", in: 1...1024) ?? self.offload.threads
        self.offload.queueLimit = try env.integer("OFFLOAD_QUEUE", in: 0...1_000_000) ?? self.offload.queueLimit
    }
}
