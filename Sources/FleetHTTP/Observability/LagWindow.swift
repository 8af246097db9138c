/// The lags a probe measured over its last few seconds, summarised as Node's
/// `monitorEventLoopDelay` is: p50, p99 and max.
struct LagWindow: Sendable {
    /// p50, p99 and the largest lag, in seconds.
    struct Summary: Sendable, Equatable {
        var p50: Double
        var p99: Double
        var max: Double
    }

    private var samples: [Double]
    private var next = 0
    private var filled = false

    /// - Parameter capacity: how many of the latest samples count.
    init(capacity: Int) {
        precondition(capacity > 0)
        self.samples = Array(repeating: 0, count: capacity)
    }

    mutating func add(_ seconds: Double) {
        self.samples[self.next] = seconds
        self.next += 1
        if self.next == self.samples.count {
            self.next = 0
            self.filled = true
        }
    }

    /// Nil until the first sample.
    var summary: Summary? {
        let count = self.filled ? self.samples.count : self.next
        guard count > 0 else { return nil }
        let sorted = self.samples[..<count].sorted()
        func quantile(_ q: Double) -> Double { sorted[min(count - 1, Int((q * Double(count)).rounded(.up)) - 1)] }
        return Summary(p50: quantile(0.5), p99: quantile(0.99), max: sorted[count - 1])
    }
}
