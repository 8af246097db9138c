#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time this process used, to tell whether the generator itself was saturated.
struct ResourceUsage: Sendable {
    var cpuSeconds: Double
    var wallNanoseconds: UInt64

    static func now() -> ResourceUsage {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ResourceUsage(cpuSeconds: cpu, wallNanoseconds: monotonicNow())
    }

    /// CPU seconds and wall seconds since `self`.
    func since() -> (cpu: Double, wall: Double) {
        let end = ResourceUsage.now()
        return (end.cpuSeconds - cpuSeconds, Double(end.wallNanoseconds &- wallNanoseconds) / 1e9)
    }
}

/// Warnings that the generator, not the target, limited the run.
struct SelfCheck {
    var warnings: [String] = []

    init(usage: (cpu: Double, wall: Double), cores: Int, live: LiveTotals, configuration: LoadConfiguration) {
        let busy = usage.wall > 0 ? usage.cpu / usage.wall / Double(cores) : 0
        if busy > 0.8 {
            warnings.append("the generator used \(format(busy * 100, 0))% of \(cores) cores: it may be the bottleneck; run it on another machine or lower the rate")
        }
        if configuration.model.isOpen, live.maxTimerDriftMicros > 10_000 {
            warnings.append("the generator's timers ran up to \(format(Double(live.maxTimerDriftMicros) / 1000, 1)) ms late: its event loops were overloaded")
        }
        if configuration.model.isOpen, live.queuedForConnection > 0 {
            warnings.append("\(live.queuedForConnection) arrivals waited because all \(configuration.connections) connections were busy: raise --connections if the target can take more")
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(configuration.connections + 64) {
            warnings.append("the open-file limit (ulimit -n \(limit.rlim_cur)) is below \(configuration.connections) connections plus headroom: raise it")
        }
    }
}
