import CoreMetrics

/// `fleet_rate_limit_decisions_total{policy, decision="allowed"|"rejected"}`,
/// resolved once per policy: the middleware and the fast path count in the same series.
struct RateLimitMetrics: Sendable {
    let allowed: Counter
    let rejected: Counter

    init(policy: String) {
        self.allowed = Counter(label: "fleet.rate_limit.decisions.total", dimensions: [("policy", policy), ("decision", "allowed")])
        self.rejected = Counter(label: "fleet.rate_limit.decisions.total", dimensions: [("policy", policy), ("decision", "rejected")])
    }

    func count(allowed: Bool) {
        (allowed ? self.allowed : self.rejected).increment()
    }
}
