#if canImport(Glibc)
import Glibc
#endif
import Logging

extension Supervisor {
    /// Replaces every worker, one at a time, with no refused or reset
    /// connection: see `replace(_:restoringOnFailure:)`. If a new worker fails
    /// to get ready, the reload stops and the remaining old workers keep serving.
    /// - Parameter environment: the workers' new environment (`--update-env`), or nil to keep it.
    /// - Returns: how long the reload took.
    public func reload(environment: [String: String]? = nil) async throws(SupervisorError) -> Duration {
        guard !self.isReloading else { throw SupervisorError(.invalidRequest, "a reload is already running") }
        guard !self.isStopping else { throw SupervisorError(.invalidRequest, "the app is stopping") }
        self.isReloading = true
        defer { self.isReloading = false }
        let start = ContinuousClock.now
        let previousEnvironment = self.environment
        if let environment { self.environment = environment }
        for instance in self.slots.indices where instance < self.slots.count {
            do {
                try await self.replace(instance, restoringOnFailure: previousEnvironment)
            } catch {
                self.reloads.failures += 1
                throw error
            }
        }
        let elapsed = ContinuousClock.now - start
        self.reloads.record(seconds: elapsed.seconds)
        self.logger.info("reload complete", metadata: ["app": "\(self.configuration.name)", "reload.duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)"])
        return elapsed
    }

    /// Hands slot `instance` from its worker to a new one: the new worker
    /// prepares (opens its pools, migrates) while the old one serves; the old
    /// one then stops accepting and says so; only then does the new one start
    /// accepting on the same socket, while the old one finishes its requests.
    func replace(_ instance: Int, restoringOnFailure previousEnvironment: [String: String]) async throws(SupervisorError) {
        let replacement = try self.spawn(instance: instance)
        guard await self.waitFor("prepared", from: replacement.pid) else {
            if self.isAlive(replacement.pid) {
                self.expectedExits.insert(replacement.pid)
                kill(replacement.pid, SIGKILL)
            }
            self.environment = previousEnvironment
            throw SupervisorError(
                .notReady,
                "worker \(instance)'s replacement (pid \(replacement.pid)) did not get ready within \(self.configuration.readyTimeout); reload stopped, the old workers keep serving"
            )
        }
        if let old = self.slots[instance].worker {
            self.terminate(old.pid)
            if !(await self.waitFor("released", from: old.pid, timeout: .seconds(5))) {
                if self.isAlive(old.pid) { kill(old.pid, SIGKILL) }
                await self.waitForExit(old.pid)
            }
        }
        var slot = self.slots[instance]
        slot.worker = replacement
        slot.status = "starting"
        slot.unstableStarts = 0
        self.slots[instance] = slot
        Self.send("accept", to: replacement)
        guard await self.waitFor("ready", from: replacement.pid) else {
            throw SupervisorError(.notReady, "worker \(instance)'s replacement (pid \(replacement.pid)) took the socket but did not report ready")
        }
    }

    /// Grows or shrinks the fleet to `instances` workers, live.
    public func scale(to instances: Int) async throws(SupervisorError) {
        guard (1...1024).contains(instances) else { throw SupervisorError(.invalidRequest, "instances must be between 1 and 1024, not \(instances)") }
        guard !self.isStopping else { throw SupervisorError(.invalidRequest, "the app is stopping") }
        if instances > self.slots.count {
            try self.bindSockets(count: instances)
            let added = self.slots.count..<instances
            self.slots.append(contentsOf: Array(repeating: Slot(), count: added.count))
            await withTaskGroup(of: Void.self) { group in
                for instance in added {
                    group.addTask { await self.startSlot(instance) }
                }
            }
        } else {
            let removed = self.slots[instances...].compactMap(\.worker?.pid)
            self.slots.removeLast(self.slots.count - instances)
            removed.forEach(self.terminate)
            for pid in removed {
                _ = await self.waitFor("released", from: pid, timeout: .seconds(5))
            }
            // Nobody accepts on these sockets any more: close them, or the kernel would keep queueing connections there.
            // Connections queued in the moment between the release and this close are reset.
            if self.sockets.count > instances {
                self.sockets[instances...].forEach { $0.close() }
                self.sockets.removeLast(self.sockets.count - instances)
            }
            await withTaskGroup(of: Void.self) { group in
                for pid in removed {
                    group.addTask { await self.waitForExit(pid) }
                }
            }
        }
        self.logger.info("scaled", metadata: ["app": "\(self.configuration.name)", "instances": "\(instances)"])
    }

    /// Drains every child at once and waits for them all: the slots' workers, and also
    /// those a scale-down, a reload or a recycle is still ending or starting. The reaper
    /// and the SIGKILL after `stopTimeout` run until the last one is gone, so this returns.
    func stopAll() async {
        self.isStopping = true
        for index in self.slots.indices { self.slots[index].status = "stopping" }
        let pids = Array(self.links.keys)
        // Those already ending (a scale-down) have their SIGKILL armed.
        for pid in pids where !self.expectedExits.contains(pid) { self.terminate(pid) }
        await withTaskGroup(of: Void.self) { group in
            for pid in pids {
                group.addTask { await self.waitForExit(pid) }
            }
        }
    }
}
