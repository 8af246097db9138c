import CoreMetrics
import NIOConcurrencyHelpers

/// One probe's lag metrics: the histogram, and p50/p99/max over its window,
/// refreshed about once a second rather than on every probe.
final class LagGauges: Sendable {
    let histogram: Timer
    let p50: Gauge
    let p99: Gauge
    let max: Gauge
    let state: NIOLockedValueBox<(window: LagWindow, sinceRefresh: Int)>
    let refreshEvery: Int

    init(loop: String, capacity: Int) {
        let dimensions = [("loop", loop)]
        self.histogram = Timer(label: "fleet.event_loop.lag", dimensions: dimensions, preferredDisplayUnit: .seconds)
        self.p50 = Gauge(label: "fleet.event_loop.lag.p50", dimensions: dimensions)
        self.p99 = Gauge(label: "fleet.event_loop.lag.p99", dimensions: dimensions)
        self.max = Gauge(label: "fleet.event_loop.lag.max", dimensions: dimensions)
        self.state = NIOLockedValueBox((LagWindow(capacity: capacity), 0))
        self.refreshEvery = Swift.max(1, capacity / 30)
    }

    func record(lag: Duration) {
        let lag = Swift.max(lag, .zero)
        self.histogram.recordNanoseconds(lag.nanoseconds)
        let seconds = Double(lag.nanoseconds) / 1e9
        let summary: LagWindow.Summary? = self.state.withLockedValue { state in
            state.window.add(seconds)
            state.sinceRefresh += 1
            // A long lag is shown at once: it is what an alert waits for.
            guard state.sinceRefresh >= self.refreshEvery || seconds > 0.05 else { return nil }
            state.sinceRefresh = 0
            return state.window.summary
        }
        guard let summary else { return }
        self.p50.record(summary.p50)
        self.p99.record(summary.p99)
        self.max.record(summary.max)
    }
}
