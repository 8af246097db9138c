/// The replica computation of the Kubernetes HPA controller for one utilization metric.
struct HPAController {
    private struct Recommendation { var time: Int; var replicas: Int }
    private struct ScaleEvent { var time: Int; var change: Int }

    let settings: HPASimulation.Settings
    private var recommendations: [Recommendation] = []
    private var events: [ScaleEvent] = []

    init(settings: HPASimulation.Settings) {
        self.settings = settings
    }

    /// One sync: the metric's proposal, then stabilization, then the policies' rate limits, then min/max.
    mutating func sync(time: Int, load: Double, replicas: Int, ready: Int) -> Int {
        if recommendations.isEmpty {
            // The controller seeds the scale-down window with the current count.
            recommendations.append(Recommendation(time: time, replicas: replicas))
        }
        let proposal = proposal(load: load, replicas: replicas, ready: ready)
        let stabilized = stabilize(proposal, current: replicas, time: time)
        let limited = limit(stabilized, current: replicas, time: time)
        if limited != replicas { events.append(ScaleEvent(time: time, change: limited - replicas)) }
        return limited
    }

    /// The replica calculator: usage ratio over ready pods, tolerance, and not-ready pods counted at zero when scaling up.
    private func proposal(load: Double, replicas: Int, ready: Int) -> Int {
        guard ready > 0 else { return replicas }
        let target = settings.targetUtilization
        let ratio = load / (Double(ready) * settings.capacityPerPod) / target
        let notReady = replicas - ready
        if notReady == 0 || ratio <= 1 {
            if abs(1 - ratio) <= settings.tolerance { return replicas }
            return Int((ratio * Double(ready)).rounded(.up))
        }
        let rebalanced = load / (Double(replicas) * settings.capacityPerPod) / target
        if abs(1 - rebalanced) <= settings.tolerance || rebalanced < 1 { return replicas }
        let desired = Int((rebalanced * Double(replicas)).rounded(.up))
        return desired < replicas ? replicas : desired
    }

    /// Scale-up takes the lowest recommendation in its window, scale-down the highest in its.
    private mutating func stabilize(_ proposal: Int, current: Int, time: Int) -> Int {
        let upCutoff = time - settings.scaleUp.stabilizationWindowSeconds
        let downCutoff = time - settings.scaleDown.stabilizationWindowSeconds
        var up = proposal
        var down = proposal
        for recommendation in recommendations {
            if recommendation.time > upCutoff { up = min(up, recommendation.replicas) }
            if recommendation.time > downCutoff { down = max(down, recommendation.replicas) }
        }
        var result = current
        if result < up { result = up }
        if result > down { result = down }
        let keep = max(settings.scaleUp.stabilizationWindowSeconds, settings.scaleDown.stabilizationWindowSeconds)
        recommendations.removeAll { $0.time <= time - keep }
        recommendations.append(Recommendation(time: time, replicas: proposal))
        return result
    }

    private func limit(_ desired: Int, current: Int, time: Int) -> Int {
        if desired > current {
            let limit = min(scaleUpLimit(current: current, time: time), settings.maxReplicas)
            return max(min(desired, limit), settings.minReplicas)
        }
        if desired < current {
            let limit = max(scaleDownLimit(current: current, time: time), settings.minReplicas)
            return min(max(desired, limit), settings.maxReplicas)
        }
        return min(max(desired, settings.minReplicas), settings.maxReplicas)
    }

    private func changes(within period: Int, time: Int, sign: Int) -> Int {
        events.filter { $0.time + period > time && $0.change * sign > 0 }.reduce(0) { $0 + abs($1.change) }
    }

    private func scaleUpLimit(current: Int, time: Int) -> Int {
        let rules = settings.scaleUp
        if rules.select == .disabled { return current }
        let proposals = rules.policies.map { policy -> Int in
            let start = current - changes(within: policy.periodSeconds, time: time, sign: 1)
            switch policy.kind {
            case .pods: return start + policy.value
            case .percent: return Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
            }
        }
        return (rules.select == .max ? proposals.max() : proposals.min()) ?? current
    }

    private func scaleDownLimit(current: Int, time: Int) -> Int {
        let rules = settings.scaleDown
        if rules.select == .disabled { return current }
        let proposals = rules.policies.map { policy -> Int in
            let start = current + changes(within: policy.periodSeconds, time: time, sign: -1)
            switch policy.kind {
            case .pods: return start - policy.value
            case .percent: return Int(Double(start) * (1 - Double(policy.value) / 100))
            }
        }
        // "Max" picks the policy allowing the largest change, which for scale-down is the lowest count.
        return (rules.select == .max ? proposals.min() : proposals.max()) ?? current
    }
}
