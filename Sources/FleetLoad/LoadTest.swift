import Histogram
import NIOCore
import NIOPosix

/// A load test: drives `configuration` at its target and returns what it measured.
///
/// ```swift
/// let target = try Target(url: "http://127.0.0.1:8080/users")
/// let report = try await LoadTest(configuration: .init(target: target, model: .constantRate(2000, duration: .seconds(30)))).run()
/// print(report.achievedRate, report.p99, report.passed)
/// ```
public struct LoadTest: Sendable {
    /// What to run.
    public var configuration: LoadConfiguration

    /// Creates a load test.
    public init(configuration: LoadConfiguration) {
        self.configuration = configuration
    }

    /// Runs the test to its end (or to the first failed threshold with `abortOnFail`).
    ///
    /// - Parameter progress: called once per sample interval, off the load's event loops.
    /// - Returns: the report; check `passed` for the thresholds.
    public func run(progress: (@Sendable (LoadProgress) -> Void)? = nil) async throws -> LoadReport {
        try configuration.validate()
        let target = configuration.target
        let address = try target.resolve()
        let (loops, owned) = MultiThreadedEventLoopGroup.loops(of: configuration.eventLoopGroup, threads: configuration.threads)
        defer { owned?.shutdownGracefully { _ in } }
        let usage = ResourceUsage.now()
        let start = monotonicNow() + 100_000_000
        let plan = try RunPlan(configuration: configuration, address: address, start: start, shards: loops.count)
        let shards = loops.enumerated().map { LoadShard(plan: plan, index: $0.offset, eventLoop: $0.element) }
        let futures = shards.map { $0.run() }
        var series = SeriesBuilder(model: configuration.model, interval: configuration.sampleInterval)
        var aborted = false
        var live = LiveTotals()
        var lastSample = start
        while !aborted, monotonicNow() + UInt64(configuration.sampleInterval.nanoseconds) / 2 < plan.end {
            let wake = min(lastSample + UInt64(configuration.sampleInterval.nanoseconds), plan.end)
            try await Task.sleep(for: .nanoseconds(Int64(wake) - Int64(monotonicNow())))
            let now = monotonicNow()
            let interval = try await IntervalSample.collect(shards: shards)
            live.add(interval)
            let elapsed = Double(now &- start) / 1e9
            series.append(interval, at: elapsed, length: Double(now &- lastSample) / 1e9)
            lastSample = now
            progress?(LoadProgress(elapsed: elapsed, total: configuration.model.duration.seconds, live: live, recent: series.recentRates()))
            if configuration.abortOnFail, !aborted, elapsed > 0,
                configuration.thresholds.contains(where: { !$0.evaluate(live.figures(elapsed: elapsed, model: configuration.model)).passed })
            {
                aborted = true
                for shard in shards { shard.eventLoop.execute { shard.stop() } }
            }
        }
        var recorder = Recorder(names: plan.templates.count, stages: configuration.model.stages.count)
        for future in futures { recorder.add(try await future.get()) }
        let wall = Double(monotonicNow() &- start) / 1e9
        let tail = try await IntervalSample.collect(shards: shards)
        live.add(tail)
        series.append(tail, at: wall, length: Double(monotonicNow() &- lastSample) / 1e9)
        let checks = SelfCheck(
            usage: usage.since(),
            cores: System.coreCount,
            live: live,
            configuration: configuration
        )
        return LoadReport(
            configuration: configuration,
            recorder: recorder,
            series: series.samples,
            elapsed: min(wall, configuration.model.duration.seconds + configuration.timeout.seconds),
            sending: recorder.lastSent > start ? Double(recorder.lastSent - start) / 1e9 : 0,
            aborted: aborted,
            warnings: checks.warnings
        )
    }
}

extension IntervalSample {
    static func collect(shards: [LoadShard]) async throws -> IntervalSample {
        var total = IntervalSample()
        for shard in shards { total.add(try await shard.eventLoop.submit { shard.takeInterval() }.get()) }
        return total
    }
}

extension MultiThreadedEventLoopGroup {
    /// The loops of `group`, or of a new group of `threads` loops that the caller shuts down (`owned`).
    static func loops(of group: (any EventLoopGroup)?, threads: Int) -> (loops: [any EventLoop], owned: MultiThreadedEventLoopGroup?) {
        let owned = group == nil ? MultiThreadedEventLoopGroup(numberOfThreads: threads) : nil
        return (Array((group ?? owned!).makeIterator()), owned)
    }
}
