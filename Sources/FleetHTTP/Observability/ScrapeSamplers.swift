import CoreMetrics
import NIOConcurrencyHelpers

/// Readings taken when `/metrics` is scraped rather than on every event:
/// levels (RSS, pool sizes) and totals another type already keeps (cache statistics, CPU time).
public final class ScrapeSamplers: Sendable {
    private let samplers = NIOLockedValueBox<[@Sendable () -> Void]>([])

    public init() {}

    /// Adds a reading, run on every scrape; it must not block.
    public func add(_ sampler: @escaping @Sendable () -> Void) {
        self.samplers.withLockedValue { $0.append(sampler) }
    }

    func sample() {
        for sampler in self.samplers.withLockedValue({ $0 }) { sampler() }
    }
}

/// A Prometheus counter that follows a total kept elsewhere: each reading adds what it grew by.
public final class SampledCounter: Sendable {
    private let counter: FloatingPointCounter
    private let last = NIOLockedValueBox<Double>(0)

    /// - Parameters: the counter's label and dimensions, as for swift-metrics' `Counter`.
    public init(label: String, dimensions: [(String, String)] = []) {
        self.counter = FloatingPointCounter(label: label, dimensions: dimensions)
    }

    /// Records that the total is now `total`; a smaller total (a restart of its source) adds nothing.
    public func update(to total: Double) {
        let delta = self.last.withLockedValue { last in
            defer { last = Swift.max(last, total) }
            return total - last
        }
        if delta > 0 { self.counter.increment(by: delta) }
    }
}
