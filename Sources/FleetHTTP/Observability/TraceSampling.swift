import Atomics

/// Decides, before any span exists, whether a request is traced, from the
/// standard `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.
///
/// A span from swift-otel costs about 8 µs of CPU even when its sampler then
/// drops it (ids, context, attributes), more than half of a fast answer; so
/// the sampling decision is taken here and a request not sampled gets no span
/// at all. The exporter's own sampler is then told to follow the parent, so a
/// request is not sampled twice.
public struct TraceSampling: Sendable, Equatable {
    /// Whether a caller's `traceparent` decides (its sampled flag), as the `parentbased_*` samplers do.
    public var followsParent: Bool
    /// The share of requests traced when no parent decides: 0 to 1.
    public var ratio: Double

    /// - Parameters: as the properties.
    public init(followsParent: Bool = true, ratio: Double = 1) {
        self.followsParent = followsParent
        self.ratio = min(1, max(0, ratio))
    }

    /// The sampler named by `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG`; nil
    /// when the name is not one of OpenTelemetry's (`parentbased_jaeger_remote` included:
    /// remote sampling is not supported).
    public init?(sampler: String?, argument: String?) {
        let ratio = argument.flatMap(Double.init) ?? 1
        guard (0...1).contains(ratio) else { return nil }
        switch sampler ?? "parentbased_always_on" {
        case "always_on": self.init(followsParent: false, ratio: 1)
        case "always_off": self.init(followsParent: false, ratio: 0)
        case "traceidratio": self.init(followsParent: false, ratio: ratio)
        case "parentbased_always_on": self.init(followsParent: true, ratio: 1)
        case "parentbased_always_off": self.init(followsParent: true, ratio: 0)
        case "parentbased_traceidratio": self.init(followsParent: true, ratio: ratio)
        default: return nil
        }
    }

    /// Every `period`-th request without a deciding parent is traced: an even
    /// share at the cost of one atomic increment.
    var period: UInt64 { self.ratio <= 0 ? 0 : UInt64((1 / self.ratio).rounded()) }

    /// Whether the request with this `traceparent` value (nil when it has none) is traced.
    func admits(traceparent: String?, counter: ManagedAtomic<UInt64>) -> Bool {
        if self.followsParent, let traceparent, let sampled = Self.sampledFlag(traceparent) {
            return sampled
        }
        let period = self.period
        guard period > 1 else { return period == 1 }
        return counter.loadThenWrappingIncrement(ordering: .relaxed) % period == 0
    }

    /// The sampled bit of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`); nil when malformed.
    static func sampledFlag(_ traceparent: String) -> Bool? {
        let utf8 = traceparent.utf8
        guard utf8.count >= 55, let flags = UInt8(traceparent.suffix(2), radix: 16) else { return nil }
        return flags & 1 == 1
    }
}

/// A `TraceSampling` with the count it spreads its share over; one per process.
public final class TraceSampler: Sendable {
    public let sampling: TraceSampling
    private let counter = ManagedAtomic<UInt64>(0)

    public init(_ sampling: TraceSampling) {
        self.sampling = sampling
    }

    /// Whether the request with this `traceparent` value is traced.
    public func admits(traceparent: String?) -> Bool {
        self.sampling.admits(traceparent: traceparent, counter: self.counter)
    }
}
