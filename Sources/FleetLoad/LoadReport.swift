import Histogram
import Foundation

/// What a load test measured. Latency is in milliseconds; "corrected" counts from each request's intended start.
///
/// Encodes to the stable JSON schema `fleet.load/v1` (see `jsonString()`).
public struct LoadReport: Sendable, Codable {
    /// Latency percentiles of one histogram, in milliseconds.
    public struct Latency: Sendable, Codable, Hashable {
        /// Smallest, mean, percentiles (p999 is the 99.9th) and largest, in milliseconds.
        public var min, mean, p50, p90, p95, p99, p999, max: Double
        /// Values recorded.
        public var count: Int
    }

    /// Requests, errors and latency for one request name or stage.
    public struct Group: Sendable, Codable, Hashable {
        /// The request's name, or the stage's number and target.
        public var name: String
        /// Requests finished.
        public var requests: Int
        /// Requests failed.
        public var errors: Int
        /// Corrected latency.
        public var latency: Latency
    }

    /// One point of the percentile spectrum.
    public struct SpectrumPoint: Sendable, Codable, Hashable {
        /// 0 to 100.
        public var percentile: Double
        /// Milliseconds from the intended start.
        public var corrected: Double
        /// Milliseconds from the send.
        public var uncorrected: Double
    }

    /// One interval of the time series.
    public struct Sample: Sendable, Codable, Hashable {
        /// Seconds since the start at the interval's end.
        public var time: Double
        /// The interval's length in seconds.
        public var length: Double
        public var requests: Int
        public var errors: Int
        public var dropped: Int
        /// Requests per second finished in the interval.
        public var rate: Double
        /// The planned rate (open model) or users (closed model) mid-interval.
        public var targetLevel: Double
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var max: Double
        public var uncorrectedP99: Double
        public var connections: Int
    }

    /// The schema identifier of the JSON form.
    public var schema = "fleet.load/v1"
    public var target: String
    /// `open` or `closed`.
    public var model: String
    public var plannedDuration: Double
    /// Seconds from start to the last response.
    public var elapsed: Double
    /// True when `abortOnFail` stopped the run early.
    public var aborted: Bool
    /// Requests finished (with a response or an error).
    public var requests: Int
    /// Requests that failed: transport error, timeout or a failed check.
    public var errors: Int
    public var errorRate: Double
    public var checkFailures: Int
    /// Arrivals the open model planned but could not send.
    public var dropped: Int
    /// The planned mean arrival rate (open model only; the JSON omits it in the closed model).
    public var targetRate: Double?
    /// Requests per second achieved over the planned duration (or until the last request went out, if later).
    public var achievedRate: Double
    /// Latency from each request's intended start (coordinated omission corrected).
    public var latency: Latency
    /// Latency from each request's actual send.
    public var uncorrectedLatency: Latency
    /// Responses per HTTP status.
    public var statuses: [String: Int]
    /// Transport errors per kind (connect, reset, timeout, protocol).
    public var errorKinds: [String: Int]
    public var requestsByName: [Group]
    public var stages: [Group]
    public var spectrum: [SpectrumPoint]
    public var series: [Sample]
    public var thresholds: [ThresholdResult]
    /// Signs that the load generator, not the target, was the bottleneck.
    public var warnings: [String]

    /// True when every threshold held.
    public var passed: Bool { thresholds.allSatisfy(\.passed) }
    /// The process exit status for this report: 0, or 99 when a threshold failed (as k6).
    public var exitCode: Int32 { passed ? 0 : 99 }
    /// Corrected median latency.
    public var p50: Duration { .microseconds(Int64(latency.p50 * 1000)) }
    /// Corrected 95th percentile latency.
    public var p95: Duration { .microseconds(Int64(latency.p95 * 1000)) }
    /// Corrected 99th percentile latency.
    public var p99: Duration { .microseconds(Int64(latency.p99 * 1000)) }
    /// Responses per HTTP status code.
    public var statusCounts: [Int: Int] {
        Dictionary(uniqueKeysWithValues: statuses.compactMap { key, value in Int(key).map { ($0, value) } })
    }

    init(configuration: LoadConfiguration, recorder: Recorder, series: [Sample], elapsed: Double, sending: Double, aborted: Bool, warnings: [String]) {
        let model = configuration.model
        target = configuration.target.description
        self.model = model.isOpen ? "open" : "closed"
        plannedDuration = model.duration.seconds
        self.elapsed = elapsed
        self.aborted = aborted
        requests = recorder.requests
        errors = recorder.errors
        errorRate = recorder.requests == 0 ? 0 : Double(recorder.errors) / Double(recorder.requests)
        checkFailures = recorder.checkFailures
        dropped = recorder.dropped
        // Over the planned duration, or until the last send when queued requests went out late (an overloaded target).
        let span = aborted ? min(elapsed, plannedDuration) : max(sending, plannedDuration)
        targetRate = model.isOpen ? model.averageLevel(upTo: plannedDuration) : nil
        achievedRate = span > 0 ? Double(recorder.requests) / span : 0
        latency = Latency(recorder.corrected)
        uncorrectedLatency = Latency(recorder.uncorrected)
        statuses = Dictionary(uniqueKeysWithValues: recorder.statuses.map { (String($0.key), $0.value) })
        errorKinds = recorder.errorKinds
        requestsByName = zip(configuration.requests, recorder.byName).map {
            Group(name: $0.name, requests: $1.requests, errors: $1.errors, latency: Latency($1.latency))
        }
        stages = zip(model.stages.indices, recorder.byStage).map { index, group in
            let stage = model.stages[index]
            let unit = model.isOpen ? " req/s" : " users"
            let seconds: String = format(stage.duration.seconds, 0)
            let level: String = format(stage.target, 0)
            let label = "\(index + 1): \(seconds)s to \(level)\(unit)"
            return Group(name: label, requests: group.requests, errors: group.errors, latency: Latency(group.latency))
        }
        spectrum = Self.spectrumPercentiles.map {
            SpectrumPoint(percentile: $0, corrected: recorder.corrected.milliseconds(at: $0), uncorrected: recorder.uncorrected.milliseconds(at: $0))
        }
        self.series = series
        self.warnings = warnings
        let figures = LoadFigures(
            latency: recorder.corrected,
            requests: requests,
            errors: errors,
            dropped: dropped,
            achievedRate: achievedRate,
            targetRate: targetRate
        )
        thresholds = configuration.thresholds.map { $0.evaluate(figures) }
    }

    /// 0, 50, 75, 87.5 … halving the distance to 100 at two points per halving, then 100.
    static let spectrumPercentiles: [Double] = (0..<36).map { (step: Int) -> Double in
        let remaining: Double = pow(2.0, -Double(step) / 2)
        return 100 * (1 - remaining)
    } + [100.0]
}

extension LoadReport.Latency {
    init(_ histogram: LatencyHistogram) {
        let empty = histogram.totalCount == 0
        min = empty ? 0 : Double(histogram.min) / 1000
        mean = empty ? 0 : histogram.mean / 1000
        p50 = histogram.milliseconds(at: 50)
        p90 = histogram.milliseconds(at: 90)
        p95 = histogram.milliseconds(at: 95)
        p99 = histogram.milliseconds(at: 99)
        p999 = histogram.milliseconds(at: 99.9)
        max = empty ? 0 : Double(histogram.max) / 1000
        count = Int(histogram.totalCount)
    }
}

extension LatencyHistogram {
    func milliseconds(at percentile: Double) -> Double {
        totalCount == 0 ? 0 : Double(valueAtPercentile(percentile)) / 1000
    }
}
