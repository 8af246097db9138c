import Foundation
import Histogram
/// A pass/fail criterion on a run, as in k6: `p95<200ms`, `p99<=1s`, `errors<1%`, `rate>=0.99*target`, `dropped==0`.
public struct Threshold: Sendable, Hashable, CustomStringConvertible {
    enum Metric: Hashable, Sendable {
        case percentile(Double)
        case mean, max, errors, rate, dropped
    }
    enum Comparison: String, Hashable, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", less = "<", greater = ">"
    }
    enum Bound: Hashable, Sendable {
        case value(Double)
        case ofTarget(Double)
    }

    /// The expression as written.
    public let expression: String
    let metric: Metric
    let comparison: Comparison
    let bound: Bound

    static let metricsHelp = "metrics: p50, p90, p95, p99, p99.9 (any pNN), avg, max (latency: ms, s or us), errors (% or ratio), rate (req/s or F*target), dropped (count)"

    /// Parses an expression; the error names the part at fault and what is allowed.
    public init(parsing text: String) throws {
        let compact = text.filter { !$0.isWhitespace }
        guard let comparison = Comparison.allCases.first(where: { compact.contains($0.rawValue) }),
            let range = compact.range(of: comparison.rawValue)
        else {
            throw LoadError(.invalidThreshold, "--threshold '\(text)': no comparison; use one of <, <=, >, >=, == as in 'p95<200ms'")
        }
        let name = String(compact[..<range.lowerBound]).lowercased()
        let value = String(compact[range.upperBound...])
        expression = text
        self.comparison = comparison
        switch name {
        case "avg", "mean": metric = .mean
        case "max": metric = .max
        case "med": metric = .percentile(50)
        case "errors", "error_rate", "http_req_failed": metric = .errors
        case "rate": metric = .rate
        case "dropped": metric = .dropped
        default:
            guard name.hasPrefix("p"), let percentile = Double(name.dropFirst()), percentile > 0, percentile <= 100 else {
                throw LoadError(.invalidThreshold, "--threshold '\(text)': unknown metric '\(name)'; \(Self.metricsHelp)")
            }
            metric = .percentile(percentile)
        }
        bound = try Self.parseBound(value, metric: metric, text: text)
    }

    private static func parseBound(_ value: String, metric: Metric, text: String) throws -> Bound {
        func fail(_ allowed: String) -> LoadError {
            LoadError(.invalidThreshold, "--threshold '\(text)': bad value '\(value)'; expected \(allowed)")
        }
        switch metric {
        case .percentile, .mean, .max:
            guard let duration = Duration.parse(value.hasSuffix("s") || value.hasSuffix("m") || value.hasSuffix("h") ? value : value + "ms") else {
                throw fail("a latency such as 200ms, 1.5s or 800us")
            }
            return .value(duration.seconds * 1000)
        case .errors:
            if value.hasSuffix("%"), let percent = Double(value.dropLast()) { return .value(percent / 100) }
            guard let ratio = Double(value), ratio <= 1 else { throw fail("a percentage such as 1% or a ratio such as 0.01") }
            return .value(ratio)
        case .rate:
            if value.hasSuffix("*target") {
                guard let factor = Double(value.dropLast("*target".count)) else { throw fail("requests/s or F*target such as 0.99*target") }
                return .ofTarget(factor)
            }
            if value == "target" { return .ofTarget(1) }
            guard let rate = Double(value) else { throw fail("requests/s or F*target such as 0.99*target") }
            return .value(rate)
        case .dropped:
            guard let count = Double(value) else { throw fail("a count such as 0") }
            return .value(count)
        }
    }

    /// Evaluates the threshold on a run's figures.
    public func evaluate(_ figures: LoadFigures) -> ThresholdResult {
        let actual: Double
        switch metric {
        case .percentile(let percentile): actual = figures.latencyMilliseconds(percentile)
        case .mean: actual = figures.meanMilliseconds
        case .max: actual = figures.maxMilliseconds
        case .errors: actual = figures.errorRatio
        case .rate: actual = figures.achievedRate
        case .dropped: actual = Double(figures.dropped)
        }
        let limit: Double
        switch bound {
        case .value(let value): limit = value
        case .ofTarget(let factor):
            guard let target = figures.targetRate else {
                return ThresholdResult(expression: expression, passed: false, actual: actual, limit: .nan, note: "no target rate in the closed model")
            }
            limit = factor * target
        }
        let passed: Bool
        switch comparison {
        case .less: passed = actual < limit
        case .lessOrEqual: passed = actual <= limit
        case .greater: passed = actual > limit
        case .greaterOrEqual: passed = actual >= limit
        case .equal: passed = actual == limit
        }
        return ThresholdResult(expression: expression, passed: passed, actual: actual, limit: limit, note: nil)
    }

    public var description: String { expression }
}

/// The outcome of one threshold.
public struct ThresholdResult: Sendable, Codable, Hashable {
    /// The expression as written.
    public var expression: String
    /// Whether it held.
    public var passed: Bool
    /// The measured value (ms for latency, a ratio for errors, req/s for rate).
    public var actual: Double
    /// The bound it was compared with, in the same unit.
    public var limit: Double
    /// Why it could not be evaluated, if so.
    public var note: String?
}

/// The figures thresholds are evaluated on.
public struct LoadFigures: Sendable {
    let latency: LatencyHistogram
    /// Requests finished.
    public var requests: Int
    /// Requests that failed (transport error or check).
    public var errors: Int
    /// Arrivals never sent.
    public var dropped: Int
    /// Requests per second achieved.
    public var achievedRate: Double
    /// The planned average arrival rate (open model only).
    public var targetRate: Double?

    /// Errors over requests (0 when nothing ran).
    public var errorRatio: Double { requests == 0 ? 0 : Double(errors) / Double(requests) }
    /// A corrected latency percentile in milliseconds.
    public func latencyMilliseconds(_ percentile: Double) -> Double {
        latency.totalCount == 0 ? 0 : Double(latency.valueAtPercentile(percentile)) / 1000
    }
    var meanMilliseconds: Double { latency.totalCount == 0 ? 0 : latency.mean / 1000 }
    var maxMilliseconds: Double { latency.totalCount == 0 ? 0 : Double(latency.max) / 1000 }
}
