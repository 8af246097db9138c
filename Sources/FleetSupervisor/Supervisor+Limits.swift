import Logging

extension Supervisor {
    /// Checks every online worker against the limits each `checkInterval`,
    /// and recycles the first one over a limit (one at a time, never during a
    /// reload, so capacity never drops by more than the one hand-over).
    func enforceLimits() async {
        let limits = self.configuration.limits
        guard !limits.isEmpty else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: limits.checkInterval)
            guard !self.isReloading, !self.isStopping else { continue }
            let now = ContinuousClock.now
            for (instance, slot) in self.slots.enumerated() {
                guard let worker = slot.worker, worker.ready, let stats = ProcessStats.read(pid: worker.pid),
                    let reason = limits.violation(memoryBytes: stats.memoryBytes, age: now - worker.startedAt)
                else { continue }
                await self.recycle(instance, reason: reason)
                break
            }
        }
    }

    /// Replaces one worker gracefully, as a reload would.
    func recycle(_ instance: Int, reason: String) async {
        guard !self.isReloading, !self.isStopping, instance < self.slots.count else { return }
        self.isReloading = true
        defer { self.isReloading = false }
        let pid = self.slots[instance].worker?.pid ?? 0
        self.logger.warning("recycling worker", metadata: ["worker.instance": "\(instance)", "worker.pid": "\(pid)", "reason": "\(reason)"])
        do {
            try await self.replace(instance, restoringOnFailure: self.environment)
            self.slots[instance].recycles += 1
        } catch {
            self.logger.error("recycle failed, the old worker keeps serving", metadata: ["worker.instance": "\(instance)", "error.message": "\(error)"])
        }
    }
}
