import Logging

extension Supervisor {
    /// Scales the app on its workers' backlog reports each `interval`, when
    /// `autoscaling` is set; never during a reload or a stop, and never on a stale report.
    func autoscale() async {
        guard let policy = self.configuration.autoscaling else { return }
        var state = AutoscalerState(policy: policy)
        while !Task.isCancelled {
            try? await Task.sleep(for: policy.interval)
            let now = ContinuousClock.now
            guard !self.isReloading, !self.isStopping, let backlog = self.backlog, now - backlog.at < policy.staleAfter else { continue }
            let current = self.slots.count
            guard let target = state.decide(waiting: backlog.waiting, current: current, now: now) else { continue }
            self.logger.info(
                "autoscaling",
                metadata: ["app": "\(self.configuration.name)", "jobs.waiting": "\(backlog.waiting)", "instances.from": "\(current)", "instances.to": "\(target)"]
            )
            do {
                try await self.scale(to: target)
            } catch {
                self.logger.error("autoscaling failed", metadata: ["app": "\(self.configuration.name)", "error.message": "\(error)"])
            }
        }
    }

    func backlogReported(waiting: Int) {
        self.backlog = (waiting, .now)
    }
}
