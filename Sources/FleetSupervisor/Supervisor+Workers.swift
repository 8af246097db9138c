#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix

extension Supervisor {
    /// Starts a worker for `instance` on that slot's socket; it is not the slot's worker until the caller makes it so.
    func spawn(instance: Int) throws(SupervisorError) -> Worker {
        // A child started now would outlive the stop that already collected the children to end.
        guard !self.isStopping else { throw SupervisorError(.invalidRequest, "the app is stopping") }
        var environment = self.environment
        var socket: Int32?
        if self.configuration.listens {
            guard instance < self.sockets.count else { throw SupervisorError(.spawn, "no socket for worker \(instance)") }
            socket = self.sockets[instance].descriptor
            environment["LISTEN_FDS"] = "1"
            environment["LISTEN_FDNAMES"] = self.configuration.name
        }
        environment["FLEET_INSTANCE"] = "\(instance)"
        environment["FLEET_WORKERS"] = "\(self.slots.count)"
        environment["FLEET_IPC_FD"] = "\(ChildProcess.linkDescriptor)"
        environment["FLEET_APP"] = self.configuration.name
        let child = try ChildProcess.spawn(
            executable: self.configuration.executable,
            arguments: self.configuration.arguments,
            environment: environment,
            listeningSocket: socket
        )
        // Close-on-exec in the same call: see `ChildProcess.spawning`.
        let writer = fcntl(child.link, F_DUPFD_CLOEXEC, 0)
        self.links[child.pid] = writer
        self.logger.info("worker started", metadata: ["app": "\(self.configuration.name)", "worker.instance": "\(instance)", "worker.pid": "\(child.pid)"])
        self.addJob.yield { await self.readOutput(child.output, instance: instance, pid: child.pid) }
        self.addJob.yield { await self.readLink(child.link, pid: child.pid) }
        return Worker(pid: child.pid, startedAt: .now, link: writer)
    }

    /// Starts every slot's worker and waits until each is ready or has failed.
    func startAll() async {
        self.slots = Array(repeating: Slot(), count: self.configuration.instances)
        await withTaskGroup(of: Void.self) { group in
            for instance in self.slots.indices {
                group.addTask { await self.startSlot(instance) }
            }
        }
    }

    /// Starts a worker in an empty slot: it prepares, is told to accept, and reports ready.
    func startSlot(_ instance: Int) async {
        guard instance < self.slots.count, !self.isStopping else { return }
        do {
            let worker = try self.spawn(instance: instance)
            self.slots[instance].worker = worker
            self.slots[instance].status = "starting"
            guard await self.waitFor("prepared", from: worker.pid) else { return }
            Self.send("accept", to: worker)
            if await self.waitFor("ready", from: worker.pid) {
                self.slots[instance].status = "online"
            }
        } catch {
            self.slots[instance].status = "errored"
            self.slots[instance].lastExit = error.message
            self.logger.error("cannot start worker", metadata: ["worker.instance": "\(instance)", "error.message": "\(error)"])
        }
    }

    /// Waits for `message` from the worker; false when it exits or `readyTimeout` passes first.
    func waitFor(_ message: String, from pid: pid_t, timeout: Duration? = nil) async -> Bool {
        // Already reaped: nothing will come.
        guard self.isAlive(pid) else { return false }
        let awaited = Awaited(pid: pid, message: message)
        let timeout = timeout ?? self.configuration.readyTimeout
        self.addJob.yield {
            try? await Task.sleep(for: timeout)
            await self.resolve(awaited, false)
        }
        return await withCheckedContinuation { self.messageWaiters[awaited] = $0 }
    }

    func resolve(_ awaited: Awaited, _ arrived: Bool) {
        self.messageWaiters.removeValue(forKey: awaited)?.resume(returning: arrived)
    }

    func workerSent(_ message: String, pid: pid_t) {
        if message == "ready", let instance = self.slots.firstIndex(where: { $0.worker?.pid == pid }) {
            self.slots[instance].worker?.ready = true
            self.slots[instance].status = "online"
            self.logger.info("worker ready", metadata: ["worker.instance": "\(instance)", "worker.pid": "\(pid)"])
        }
        self.resolve(Awaited(pid: pid, message: message), true)
    }

    static func send(_ message: String, to worker: Worker) {
        SupervisorLink.send(message, descriptor: worker.link)
    }

    /// True until the child `pid` of this supervisor has been reaped.
    func isAlive(_ pid: pid_t) -> Bool {
        self.links[pid] != nil
    }

    /// Reaps this supervisor's exited children; a dead worker is noticed within 20 ms.
    /// Only its own, by pid: the other supervisors of this process reap theirs, and a
    /// `waitpid(-1)` here would take their workers' exits from them.
    func reapChildren() async {
        while !Task.isCancelled {
            for pid in Array(self.links.keys) {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { self.workerExited(pid, status: status) }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func workerExited(_ pid: pid_t, status: Int32) {
        let description = Self.describe(status: status)
        for awaited in self.messageWaiters.keys where awaited.pid == pid { self.resolve(awaited, false) }
        for waiter in self.exitWaiters.removeValue(forKey: pid) ?? [] { waiter.resume() }
        if let link = self.links.removeValue(forKey: pid) { close(link) }
        if self.expectedExits.remove(pid) != nil {
            self.logger.info("worker stopped", metadata: ["worker.pid": "\(pid)", "worker.exit": "\(description)"])
            return
        }
        guard let instance = self.slots.firstIndex(where: { $0.worker?.pid == pid }), let worker = self.slots[instance].worker else { return }
        let lived = ContinuousClock.now - worker.startedAt
        var slot = self.slots[instance]
        slot.worker = nil
        slot.restarts += 1
        slot.unstableStarts = lived < self.configuration.restart.minUptime ? slot.unstableStarts + 1 : 0
        slot.lastExit = ([description] + slot.recentOutput.suffix(5)).joined(separator: "\n")
        self.logger.error(
            "worker crashed",
            metadata: ["worker.instance": "\(instance)", "worker.pid": "\(pid)", "worker.exit": "\(description)", "worker.output": "\(slot.recentOutput.suffix(5).joined(separator: "\n"))"]
        )
        guard !self.isStopping else { return }
        if slot.unstableStarts >= self.configuration.restart.maxUnstableStarts {
            slot.status = "errored"
            self.slots[instance] = slot
            self.logger.error(
                "worker errored: crash loop, not restarting",
                metadata: ["worker.instance": "\(instance)", "worker.unstable_starts": "\(slot.unstableStarts)", "worker.exit": "\(description)"]
            )
            return
        }
        slot.status = "restarting"
        self.slots[instance] = slot
        let delay = self.configuration.restart.backoff(attempt: max(0, slot.unstableStarts - 1))
        self.addJob.yield {
            try? await Task.sleep(for: delay)
            await self.restart(instance)
        }
    }

    func restart(_ instance: Int) async {
        guard instance < self.slots.count, self.slots[instance].worker == nil, self.slots[instance].status == "restarting" else { return }
        await self.startSlot(instance)
    }

    /// Asks the worker to drain (SIGTERM) and arms the SIGKILL that ends a drain past `stopTimeout`.
    func terminate(_ pid: pid_t) {
        self.expectedExits.insert(pid)
        kill(pid, SIGTERM)
        let timeout = self.configuration.stopTimeout
        self.addJob.yield {
            try? await Task.sleep(for: timeout)
            await self.killIfAlive(pid)
        }
    }

    func waitForExit(_ pid: pid_t) async {
        await withCheckedContinuation { continuation in
            // The child may already have been reaped, before this stop began.
            if !self.isAlive(pid) {
                self.expectedExits.remove(pid)
                continuation.resume()
            } else {
                self.exitWaiters[pid, default: []].append(continuation)
            }
        }
    }

    func killIfAlive(_ pid: pid_t) {
        guard self.exitWaiters[pid] != nil || self.expectedExits.contains(pid) else { return }
        self.logger.warning("worker did not drain in time, killing it", metadata: ["worker.pid": "\(pid)"])
        kill(pid, SIGKILL)
    }

    func record(output line: String, pid: pid_t) {
        guard let instance = self.slots.firstIndex(where: { $0.worker?.pid == pid }) else { return }
        self.slots[instance].recentOutput.append(line)
        if self.slots[instance].recentOutput.count > 20 { self.slots[instance].recentOutput.removeFirst() }
    }

    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit code \((status >> 8) & 0xff)" }
        return "signal \(signal) (\(String(cString: strsignal(signal))))"
    }
}
