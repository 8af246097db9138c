import Histogram
/// The run's time series, one sample per interval; pairs merge when it grows long, so memory stays bounded.
struct SeriesBuilder: Sendable {
    private(set) var samples: [LoadReport.Sample] = []
    private let model: LoadModel
    private let limit = 1800
    private let interval: Double

    init(model: LoadModel, interval: Duration) {
        self.model = model
        self.interval = interval.seconds
    }

    mutating func append(_ interval: IntervalSample, at elapsed: Double, length: Double) {
        guard length > 0 else { return }
        defer {
            // A stub (the drain after the last full interval) folds into its predecessor.
            if length < self.interval / 2, samples.count >= 2 {
                let last = samples.removeLast()
                samples[samples.count - 1] = Self.merge(samples[samples.count - 1], last)
            }
        }
        let latency = interval.latency
        func ms(_ percentile: Double) -> Double {
            latency.totalCount == 0 ? 0 : Double(latency.valueAtPercentile(percentile)) / 1000
        }
        let uncorrected = interval.uncorrected.totalCount == 0 ? 0 : Double(interval.uncorrected.valueAtPercentile(99)) / 1000
        samples.append(
            LoadReport.Sample(
                time: elapsed,
                length: length,
                requests: interval.requests,
                errors: interval.errors,
                dropped: interval.dropped,
                rate: Double(interval.requests) / length,
                targetLevel: model.level(at: max(elapsed - length / 2, 0)),
                p50: ms(50),
                p95: ms(95),
                p99: ms(99),
                max: latency.totalCount == 0 ? 0 : Double(latency.max) / 1000,
                uncorrectedP99: uncorrected,
                connections: interval.openConnections
            )
        )
        if samples.count > limit { coalesce() }
    }

    /// Merges neighbours: counts add, latency figures keep the worse (an upper bound).
    private mutating func coalesce() {
        var merged: [LoadReport.Sample] = []
        var index = 0
        while index + 1 < samples.count {
            merged.append(Self.merge(samples[index], samples[index + 1]))
            index += 2
        }
        if index < samples.count { merged.append(samples[index]) }
        samples = merged
    }

    private static func merge(_ first: LoadReport.Sample, _ second: LoadReport.Sample) -> LoadReport.Sample {
        var a = first
        let b = second
        a.time = b.time
        a.requests += b.requests
        a.errors += b.errors
        a.dropped += b.dropped
        a.targetLevel = (a.targetLevel * a.length + b.targetLevel * b.length) / (a.length + b.length)
        a.length += b.length
        a.rate = Double(a.requests) / a.length
        a.p50 = max(a.p50, b.p50)
        a.p95 = max(a.p95, b.p95)
        a.p99 = max(a.p99, b.p99)
        a.max = max(a.max, b.max)
        a.uncorrectedP99 = max(a.uncorrectedP99, b.uncorrectedP99)
        a.connections = max(a.connections, b.connections)
        return a
    }

    func recentRates() -> [Double] {
        samples.suffix(30).map(\.rate)
    }
}
