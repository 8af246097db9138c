import Histogram
/// Totals kept while the run goes, for live progress and `abortOnFail`.
struct LiveTotals: Sendable {
    var requests = 0
    var errors = 0
    var dropped = 0
    var latency = LatencyHistogram.latency()
    var maxTimerDriftMicros: UInt64 = 0
    var queuedForConnection = 0
    var peakConnections = 0

    mutating func add(_ sample: IntervalSample) {
        requests += sample.requests
        errors += sample.errors
        dropped += sample.dropped
        latency.add(sample.latency)
        maxTimerDriftMicros = max(maxTimerDriftMicros, sample.timerDriftMicros)
        queuedForConnection += sample.queuedForConnection
        peakConnections = max(peakConnections, sample.openConnections)
    }

    func figures(elapsed: Double, model: LoadModel) -> LoadFigures {
        LoadFigures(
            latency: latency,
            requests: requests,
            errors: errors,
            dropped: dropped,
            achievedRate: elapsed > 0 ? Double(requests) / elapsed : 0,
            targetRate: model.isOpen ? model.averageLevel(upTo: elapsed) : nil
        )
    }
}

extension LoadModel {
    /// The mean level over the first `seconds` of the run (the whole run when longer).
    func averageLevel(upTo seconds: Double) -> Double {
        let end = min(seconds, duration.seconds)
        guard end > 0 else { return start }
        let steps = 200
        var sum = 0.0
        for step in 0..<steps { sum += level(at: end * (Double(step) + 0.5) / Double(steps)) }
        return sum / Double(steps)
    }
}

/// A snapshot for live progress, delivered once per sample interval.
public struct LoadProgress: Sendable {
    /// Seconds since the start.
    public var elapsed: Double
    /// Planned seconds.
    public var total: Double
    /// Requests finished so far.
    public var requests: Int
    /// Failed requests so far.
    public var errors: Int
    /// Corrected p95 so far, in milliseconds.
    public var p95: Double
    /// Requests per second in the latest intervals, oldest first.
    public var recentRates: [Double]

    init(elapsed: Double, total: Double, live: LiveTotals, recent: [Double]) {
        self.elapsed = elapsed
        self.total = total
        requests = live.requests
        errors = live.errors
        p95 = live.latency.totalCount == 0 ? 0 : Double(live.latency.valueAtPercentile(95)) / 1000
        recentRates = recent
    }

    /// One terminal line: elapsed/total, rate, p95, errors and a sparkline of the rate.
    public var line: String {
        let rate = recentRates.last ?? 0
        let errorPercent = requests == 0 ? 0 : Double(errors) * 100 / Double(requests)
        return "\(format(elapsed, 0))s/\(format(total, 0))s  \(format(rate, 0)) req/s  p95 \(format(p95, 1))ms  errors \(format(errorPercent, 2))%  \(Self.sparkline(recentRates))"
    }

    /// Block characters scaled to the largest value.
    public static func sparkline(_ values: [Double]) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        let top = values.max() ?? 0
        guard top > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { blocks[min(blocks.count - 1, Int($0 / top * Double(blocks.count - 1)))] })
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if decimals == 0 { return String(Int(rounded)) }
    var text = String(rounded)
    let digits = text.split(separator: ".").last?.count ?? 0
    if digits < decimals { text += String(repeating: "0", count: decimals - digits) }
    return text
}
