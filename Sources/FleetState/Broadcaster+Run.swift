import Logging
import ServiceLifecycle
import Synchronization

extension Broadcaster {
    /// Receives other instances' broadcasts and keeps presence until graceful
    /// shutdown; then closes this instance's connections as going away and
    /// tells the others to forget its members.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    do {
                        try await self.backend.run(deliver: { self.receive($0) }, onGap: { self.lostMessages() })
                    } catch {
                        self.logger.error("broadcast backend stopped", metadata: ["broadcast.error": "\(error)"])
                    }
                }
                group.addTask { await self.heartbeats() }
            }
        }
        let connections = self.local.withLock { $0.connections.values.map(\.connection) }
        for connection in connections { connection.close(.goingAway) }
        await self.publish(BroadcastEnvelope(.bye, origin: self.instanceID))
    }

    private func heartbeats() async {
        // A new instance asks everyone for their members at once, not a heartbeat later.
        await self.publish(BroadcastEnvelope(.sync, origin: self.instanceID))
        while !Task.isCancelled {
            var alive = BroadcastEnvelope(.alive, origin: self.instanceID)
            alive.count = self.local.withLock { $0.memberships }
            await self.publish(alive)
            let deadline = ContinuousClock.now - self.configuration.presenceTimeout
            let expired = self.remote.withLock { $0.expire(before: deadline) }
            if expired > 0 { self.logger.info("broadcast instances expired", metadata: ["broadcast.instances": "\(expired)"]) }
            try? await Task.sleep(for: self.configuration.heartbeatInterval)
        }
    }

    private func lostMessages() {
        self.noteGap()
        self.remote.withLock { $0.allowResync() }
        self.logger.info("broadcast messages may have been lost; presence resyncs on the next heartbeats")
    }

    /// Handles one envelope from another instance.
    func receive(_ text: String) {
        guard let envelope = BroadcastEnvelope.decode(text), envelope.origin != self.instanceID else { return }
        let now = ContinuousClock.now
        switch envelope.kind {
        case .room:
            guard let room = envelope.room, let message = envelope.text else { return }
            self.deliver(message, room: room, except: envelope.except)
        case .all:
            guard let message = envelope.text else { return }
            self.deliver(message, room: nil, except: envelope.except)
        case .direct:
            guard let target = envelope.target, let message = envelope.text else { return }
            self.local.withLock { $0.connections[target]?.connection }?.enqueue(message)
        case .join, .leave:
            guard let room = envelope.room, let member = envelope.member else { return }
            self.remote.withLock { remote in
                if envelope.kind == .join {
                    remote.join(envelope.origin, room: room, member: member, at: now)
                } else {
                    remote.leave(envelope.origin, room: room, member: member, at: now)
                }
            }
        case .alive:
            let stale = self.remote.withLock { $0.alive(envelope.origin, memberships: envelope.count ?? 0, at: now) }
            guard stale else { return }
            var request = BroadcastEnvelope(.sync, origin: self.instanceID)
            request.target = envelope.origin
            let sync = request
            Task { await self.publish(sync) }
        case .sync:
            guard envelope.target == nil || envelope.target == self.instanceID else { return }
            Task { await self.publishSnapshot() }
        case .snapshot:
            self.remote.withLock { $0.snapshot(envelope.origin, rooms: envelope.rooms ?? [:], reset: envelope.reset ?? false, at: now) }
        case .bye:
            _ = self.remote.withLock { $0.instances.removeValue(forKey: envelope.origin) }
        }
    }

    /// Sends this instance's memberships in parts small enough for any backend.
    private func publishSnapshot() async {
        let memberships: [(room: String, member: PresenceMember)] = self.local.withLock { local in
            local.rooms.flatMap { room, connections in connections.values.map { (room, $0.member) } }
        }
        var index = 0
        repeat {
            var part = BroadcastEnvelope(.snapshot, origin: self.instanceID)
            part.reset = index == 0
            let chunk = memberships[index..<min(index + self.configuration.snapshotChunk, memberships.count)]
            part.rooms = Dictionary(grouping: chunk, by: \.room).mapValues { $0.map(\.member) }
            await self.publish(part)
            index += self.configuration.snapshotChunk
        } while index < memberships.count
    }
}
