/// The sizing that follows from one instance's measured capacity.
public struct CapacityPlan: Sendable, Codable {
    /// Throughput at one concurrency level of the closed-model sweep.
    public struct ConcurrencyPoint: Sendable, Codable, Hashable {
        public var concurrency: Int
        public var throughput: Double
        public var p99: Double
    }

    /// HorizontalPodAutoscaler settings to start from.
    public struct Autoscaler: Sendable, Codable, Hashable {
        public var minReplicas: Int
        public var maxReplicas: Int
        /// Target requests per second per pod (a Pods metric of type AverageValue).
        public var targetRequestsPerPod: Double
        /// The equivalent CPU target if CPU tracks load linearly.
        public var targetCPUUtilization: Int
        public var scaleUpStabilizationSeconds: Int
        public var scaleDownStabilizationSeconds: Int
    }

    /// The highest rate one instance held within the SLO and error budget (req/s).
    public var maxRate: Double
    public var steps: [CapacityPlanner.RateStep]
    public var concurrency: [ConcurrencyPoint]
    /// The scalability-law fit, when the sweep gave enough points.
    public var law: ScalabilityLaw?
    public var peak: Double
    public var safety: Double
    /// Instances for peak × safety.
    public var instances: Int
    /// Plus one spare, so losing an instance still serves the peak.
    public var instancesWithSpare: Int
    public var poolMax: Int?
    public var dbMaxConnections: Int?
    /// Instances with spare × pool max.
    public var dbConnections: Int?
    /// False when the fleet's pools can exceed the database's limit.
    public var dbFits: Bool?
    public var autoscaler: Autoscaler

    /// Sizes a fleet from one instance's capacity.
    public init(
        maxRate: Double,
        steps: [CapacityPlanner.RateStep] = [],
        concurrency: [ConcurrencyPoint] = [],
        law: ScalabilityLaw? = nil,
        peak: Double,
        safety: Double,
        poolMax: Int?,
        dbMaxConnections: Int?
    ) {
        self.maxRate = maxRate
        self.steps = steps
        self.concurrency = concurrency
        self.law = law
        self.peak = peak
        self.safety = safety
        instances = maxRate > 0 ? max(1, Int((peak * safety / maxRate).rounded(.up))) : 0
        let spare = instances + 1
        instancesWithSpare = spare
        self.poolMax = poolMax
        self.dbMaxConnections = dbMaxConnections
        dbConnections = poolMax.map { $0 * spare }
        if let connections = dbConnections, let limit = dbMaxConnections { dbFits = connections <= limit } else { dbFits = nil }
        // Target 70% of the SLO-holding rate: room for the sync period and pod start-up before new pods help.
        let utilization = 0.7
        var maxReplicas = max(spare, 2)
        if let poolMax, let dbMaxConnections, poolMax > 0 { maxReplicas = min(maxReplicas, max(dbMaxConnections / poolMax, 1)) }
        autoscaler = Autoscaler(
            minReplicas: 2,
            maxReplicas: maxReplicas,
            targetRequestsPerPod: maxRate * utilization,
            targetCPUUtilization: Int(utilization * 100),
            scaleUpStabilizationSeconds: 0,
            scaleDownStabilizationSeconds: 300
        )
    }

    /// A text summary: capacity, fit, instances, database connections, HPA settings.
    public var summary: String {
        var lines: [String] = []
        guard maxRate > 0 else {
            return "no measured rate held the SLO and error budget: check the target, or start lower with --start-rate"
        }
        lines.append("one instance holds \(format(maxRate, 0)) req/s within the SLO")
        if let law {
            let peakN = law.peakConcurrency
            lines.append("USL fit: sigma \(format(law.sigma, 4)), kappa \(format(law.kappa, 6)), lambda \(format(law.lambda, 1)) req/s; peak throughput at concurrency \(peakN.isFinite ? format(peakN, 0) : "unbounded")")
        }
        lines.append("peak \(format(peak, 0)) req/s x safety \(format(safety, 2)) -> \(instances) instances, \(instancesWithSpare) with N+1")
        if let dbConnections, let poolMax {
            var line = "database connections: \(instancesWithSpare) x pool max \(poolMax) = \(dbConnections)"
            if let limit = dbMaxConnections {
                line += " of \(limit) allowed" + (dbFits == true ? " (fits)" : " (EXCEEDS the limit: lower the pool max or put a pooler such as PgBouncer in front)")
            }
            lines.append(line)
        }
        let hpa = autoscaler
        lines.append("HPA: minReplicas \(hpa.minReplicas), maxReplicas \(hpa.maxReplicas), target \(format(hpa.targetRequestsPerPod, 0)) req/s per pod (or CPU \(hpa.targetCPUUtilization)%), scaleUp window \(hpa.scaleUpStabilizationSeconds)s, scaleDown window \(hpa.scaleDownStabilizationSeconds)s")
        lines.append("check it against your traffic: fleet plan simulate --trace traffic.csv --capacity \(format(maxRate, 0))")
        return lines.joined(separator: "\n")
    }
}
