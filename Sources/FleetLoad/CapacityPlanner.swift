/// Finds the highest arrival rate one instance holds within the SLO, fits the scalability law, and sizes the fleet.
public struct CapacityPlanner: Sendable {
    /// What to plan for.
    public struct Configuration: Sendable {
        public var target: Target
        public var requests: [RequestSpec]?
        /// Latency objectives such as `p95<200ms`; all must hold.
        public var slo: [Threshold]
        /// The error budget; default `errors<1%`.
        public var errorBudget: Threshold
        /// The peak rate the fleet must serve (req/s).
        public var peak: Double
        /// Headroom multiplier on the peak; default 1.5.
        public var safety = 1.5
        /// Database pool size per instance, if the service has one.
        public var poolMax: Int?
        /// The database's connection limit, if known.
        public var dbMaxConnections: Int?
        /// Length of each rate step; default 10 s.
        public var stepDuration: Duration = .seconds(10)
        /// First rate tried; default 100 req/s.
        public var startRate = 100.0
        /// Never try above this; default 200 000 req/s.
        public var maxRate = 200_000.0
        /// Bisection steps after the first failing rate; default 3.
        public var refinements = 3
        /// Concurrencies measured for the scalability fit; empty skips the fit.
        public var concurrencies = [1, 2, 4, 8, 16, 32, 64]
        /// Length of each concurrency measurement; default 5 s.
        public var concurrencyDuration: Duration = .seconds(5)
        /// Most connections per step; default 256.
        public var connections = 256

        /// Creates a configuration with the defaults above.
        public init(target: Target, slo: [Threshold], peak: Double) throws {
            self.target = target
            self.slo = slo
            self.peak = peak
            errorBudget = try Threshold(parsing: "errors<1%")
        }
    }

    /// One measured rate.
    public struct RateStep: Sendable, Codable, Hashable {
        public var rate: Double
        public var achieved: Double
        public var p95: Double
        public var p99: Double
        public var errorRate: Double
        public var held: Bool
    }

    public var configuration: Configuration

    /// Creates a planner.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Runs the rate search and the concurrency sweep against one instance, then sizes the fleet.
    /// - Parameter log: called with one line per measurement.
    public func run(log: (@Sendable (String) -> Void)? = nil) async throws -> CapacityPlan {
        var steps: [RateStep] = []
        var good = 0.0
        var bad: Double?
        var rate = configuration.startRate
        // Double while the rate holds; if the first rate fails, halve until one holds.
        while rate <= configuration.maxRate, rate >= 1, steps.count < 24 {
            let step = try await measure(rate: rate)
            steps.append(step)
            log?(Self.describe(step))
            if step.held {
                good = rate
                if bad != nil { break }
                rate *= 2
            } else {
                bad = rate
                if good > 0 { break }
                rate /= 2
            }
        }
        if var high = bad, good > 0 {
            for _ in 0..<configuration.refinements {
                let middle = (good + high) / 2
                let step = try await measure(rate: middle)
                steps.append(step)
                log?(Self.describe(step))
                if step.held { good = middle } else { high = middle }
            }
        }
        var points: [CapacityPlan.ConcurrencyPoint] = []
        for users in configuration.concurrencies {
            let report = try await LoadTest(configuration: loadConfiguration(model: .constantUsers(users, duration: configuration.concurrencyDuration))).run()
            points.append(.init(concurrency: users, throughput: report.achievedRate, p99: report.latency.p99))
            log?("concurrency \(users): \(format(report.achievedRate, 0)) req/s, p99 \(format(report.latency.p99, 1)) ms")
        }
        let law = try? ScalabilityLaw.fit(points.map { (Double($0.concurrency), $0.throughput) })
        return CapacityPlan(
            maxRate: good,
            steps: steps,
            concurrency: points,
            law: law,
            peak: configuration.peak,
            safety: configuration.safety,
            poolMax: configuration.poolMax,
            dbMaxConnections: configuration.dbMaxConnections
        )
    }

    private func loadConfiguration(model: LoadModel) -> LoadConfiguration {
        LoadConfiguration(
            target: configuration.target,
            requests: configuration.requests,
            model: model,
            connections: model.isOpen ? configuration.connections : Int(model.peak),
            timeout: .seconds(5),
            thresholds: configuration.slo + [configuration.errorBudget]
        )
    }

    private func measure(rate: Double) async throws -> RateStep {
        let report = try await LoadTest(configuration: loadConfiguration(model: .constantRate(rate, duration: configuration.stepDuration))).run()
        let held = report.passed && report.achievedRate >= 0.95 * rate && report.dropped == 0
        return RateStep(rate: rate, achieved: report.achievedRate, p95: report.latency.p95, p99: report.latency.p99, errorRate: report.errorRate, held: held)
    }

    private static func describe(_ step: RateStep) -> String {
        "rate \(format(step.rate, 0)) req/s: achieved \(format(step.achieved, 0)), p95 \(format(step.p95, 1)) ms, p99 \(format(step.p99, 1)) ms, errors \(format(step.errorRate * 100, 2))% -> \(step.held ? "holds" : "fails")"
    }
}
