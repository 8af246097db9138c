/// Replays a traffic shape through the Kubernetes HorizontalPodAutoscaler algorithm as documented
/// (autoscaling/v2: sync period, tolerance, not-ready pods, stabilization windows, scaling policies)
/// and reports when ready capacity fell short of the load.
public struct HPASimulation: Sendable {
    /// A scaling policy: add or remove `value` pods, or `value` percent, per `period`.
    public struct Policy: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case pods, percent }
        public var kind: Kind
        public var value: Int
        public var periodSeconds: Int
        public init(_ kind: Kind, _ value: Int, periodSeconds: Int) {
            self.kind = kind
            self.value = value
            self.periodSeconds = periodSeconds
        }
    }

    /// One direction's behaviour: window, policies and how to pick among them.
    public struct Rules: Sendable, Hashable {
        public enum Select: Sendable, Hashable { case max, min, disabled }
        public var stabilizationWindowSeconds: Int
        public var policies: [Policy]
        public var select: Select
        public init(stabilizationWindowSeconds: Int, policies: [Policy], select: Select = .max) {
            self.stabilizationWindowSeconds = stabilizationWindowSeconds
            self.policies = policies
            self.select = select
        }
        /// Kubernetes' default scale-up: no window; double or add 4 pods per 15 s, whichever is more.
        public static let defaultScaleUp = Rules(stabilizationWindowSeconds: 0, policies: [Policy(.percent, 100, periodSeconds: 15), Policy(.pods, 4, periodSeconds: 15)])
        /// Kubernetes' default scale-down: 300 s window; remove up to all pods per 15 s.
        public static let defaultScaleDown = Rules(stabilizationWindowSeconds: 300, policies: [Policy(.percent, 100, periodSeconds: 15)])
    }

    /// The simulated cluster and autoscaler.
    public struct Settings: Sendable, Hashable {
        /// Requests per second one ready pod serves within the SLO.
        public var capacityPerPod: Double
        /// Target average utilization (load over capacity), 0 < u ≤ 1; default 0.7.
        public var targetUtilization = 0.7
        public var minReplicas = 1
        public var maxReplicas = 100
        /// Replicas at time zero (all ready); default `minReplicas`.
        public var initialReplicas: Int?
        /// Seconds from creation until a pod is ready; default 30.
        public var podStartupSeconds = 30
        /// The controller's sync period; default 15 s (`--horizontal-pod-autoscaler-sync-period`).
        public var syncPeriodSeconds = 15
        /// Default 0.1 (`--horizontal-pod-autoscaler-tolerance`).
        public var tolerance = 0.1
        public var scaleUp = Rules.defaultScaleUp
        public var scaleDown = Rules.defaultScaleDown

        /// Settings with Kubernetes' defaults and the given capacity.
        public init(capacityPerPod: Double) {
            self.capacityPerPod = capacityPerPod
        }
    }

    /// The replica count after one sync.
    public struct Step: Sendable, Hashable, Codable {
        public var time: Int
        public var load: Double
        public var replicas: Int
        public var ready: Int
    }

    /// A span of seconds when ready capacity was below the load.
    public struct Breach: Sendable, Hashable, Codable {
        public var start: Int
        public var end: Int
        public var worstLoadOverCapacity: Double
    }

    /// The outcome.
    public struct Result: Sendable, Codable {
        public var steps: [Step]
        public var breaches: [Breach]
        public var peakReplicas: Int
        public var breachSeconds: Int { breaches.reduce(0) { $0 + $1.end - $1.start } }
    }

    public var settings: Settings

    /// Creates a simulation.
    public init(settings: Settings) {
        self.settings = settings
    }

    /// Runs the trace second by second; syncs every `syncPeriodSeconds`.
    public func run(trace: TrafficTrace) -> Result {
        var controller = HPAController(settings: settings)
        var pods = (0..<(settings.initialReplicas ?? settings.minReplicas)).map { _ in -settings.podStartupSeconds }  // creation times
        var steps: [Step] = []
        var breaches: [Breach] = []
        var open: Breach?
        var peak = pods.count
        for second in 0...max(trace.duration, 0) {
            let load = trace.load(at: Double(second))
            let ready = pods.filter { $0 + settings.podStartupSeconds <= second }.count
            if second % settings.syncPeriodSeconds == 0 {
                let desired = controller.sync(time: second, load: load, replicas: pods.count, ready: ready)
                if desired > pods.count {
                    pods += Array(repeating: second, count: desired - pods.count)
                } else if desired < pods.count {
                    // A ReplicaSet deletes not-ready pods first, then the newest.
                    pods.sort()
                    pods.removeLast(pods.count - desired)
                }
                peak = max(peak, pods.count)
                steps.append(Step(time: second, load: load, replicas: pods.count, ready: pods.filter { $0 + settings.podStartupSeconds <= second }.count))
            }
            let readyNow = pods.filter { $0 + settings.podStartupSeconds <= second }.count
            let capacity = Double(readyNow) * settings.capacityPerPod
            if load > capacity {
                let ratio = capacity > 0 ? load / capacity : .infinity
                if open == nil { open = Breach(start: second, end: second + 1, worstLoadOverCapacity: ratio) }
                open!.end = second + 1
                open!.worstLoadOverCapacity = max(open!.worstLoadOverCapacity, ratio)
            } else if let breach = open {
                breaches.append(breach)
                open = nil
            }
        }
        if let open { breaches.append(open) }
        return Result(steps: steps, breaches: breaches, peakReplicas: peak)
    }
}
