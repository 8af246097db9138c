import Histogram
/// The run's time series, one sample per interval; pairs merge when it grows long, so memory stays bounded.
struct SeriesBuilder: Sendable {
    private(set) var samples: [LoadReport.Sample] = []
    private let model: LoadModel
    private let limit = 1800

    init(model: LoadModel, interval: Duration) {
        self.model = model
    }

    mutating func append(_ interval: IntervalSample, at elapsed: Double, length: Double) {
        guard length > 0 else { return }
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
            var a = samples[index]
            let b = samples[index + 1]
            a.time = b.time
            a.requests += b.requests
            a.errors += b.errors
            a.dropped += b.dropped
            a.length += b.length
            a.rate = Double(a.requests) / a.length
            a.targetLevel = (a.targetLevel + b.targetLevel) / 2
            a.p50 = max(a.p50, b.p50)
            a.p95 = max(a.p95, b.p95)
            a.p99 = max(a.p99, b.p99)
            a.max = max(a.max, b.max)
            a.uncorrectedP99 = max(a.uncorrectedP99, b.uncorrectedP99)
            a.connections = max(a.connections, b.connections)
            merged.append(a)
            index += 2
        }
        if index < samples.count { merged.append(samples[index]) }
        samples = merged
    }

    func recentRates() -> [Double] {
        samples.suffix(30).map(\.rate)
    }
}
