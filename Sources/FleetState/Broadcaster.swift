import Logging
import ServiceLifecycle
import Synchronization

/// Rooms of connections that span every instance of a service: what one
/// instance broadcasts reaches the members on every other, through its
/// `BroadcastBackend` (Redis, the supervisor's worker bus, or one process).
///
/// Run it as a `Service`. Delivery is at most once, in order per sender.
/// Presence (who is in a room) is kept by heartbeats, so a dead instance's
/// members disappear within `presenceTimeout`.
public final class Broadcaster: Service, Sendable {
    struct Local {
        var connections: [String: (connection: BroadcastConnection, rooms: Set<String>)] = [:]
        var rooms: [String: [String: BroadcastConnection]] = [:]
        var memberships = 0
    }

    /// This instance's id, the prefix of its connections' ids.
    public let instanceID: String
    public let configuration: BroadcasterConfiguration
    /// How the instances reach each other.
    public let backend: any BroadcastBackend
    let logger: Logger
    let local = Mutex(Local())
    let remote = Mutex(RemotePresence())
    private let nextConnection = Atomic<UInt64>(0)
    private let gaps = Atomic<Int>(0)

    /// - Parameters:
    ///   - backend: how the instances reach each other.
    ///   - configuration: presence timing and queue bounds.
    ///   - logger: where backend failures are reported.
    public init(backend: any BroadcastBackend, configuration: BroadcasterConfiguration = .init(), logger: Logger) {
        self.backend = backend
        self.configuration = configuration
        self.logger = logger
        self.instanceID = String(UInt64.random(in: 1...UInt64.max), radix: 36)
    }

    /// Times the backend may have lost messages (a reconnect to Redis, say).
    public var gapCount: Int { self.gaps.load(ordering: .relaxed) }

    /// Connections on this instance.
    public var connectionCount: Int { self.local.withLock { $0.connections.count } }

    /// A new connection of this instance, in no room yet.
    /// - Parameters:
    ///   - user: who is connected, for presence.
    ///   - onClose: closes the socket; called once, when the queue overflows or the instance goes away.
    public func connect(user: String, onClose: @escaping @Sendable (BroadcastConnection.CloseReason) -> Void) -> BroadcastConnection {
        let number = self.nextConnection.add(1, ordering: .relaxed).newValue
        let connection = BroadcastConnection(
            id: "\(self.instanceID).\(number)", user: user, queueLimit: self.configuration.sendQueueLimit, onClose: onClose
        )
        self.local.withLock { $0.connections[connection.id] = (connection, []) }
        return connection
    }

    /// Removes a connection from every room it is in.
    public func disconnect(_ connection: BroadcastConnection) async {
        let rooms = self.local.withLock { $0.connections[connection.id]?.rooms ?? [] }
        for room in rooms { await self.leave(connection, room: room) }
        self.local.withLock { _ = $0.connections.removeValue(forKey: connection.id) }
    }

    /// Adds `connection` to `room`, on every instance's presence.
    public func join(_ connection: BroadcastConnection, room: String) async {
        let added = self.local.withLock { local in
            guard local.connections[connection.id] != nil, local.rooms[room]?[connection.id] == nil else { return false }
            local.connections[connection.id]?.rooms.insert(room)
            local.rooms[room, default: [:]][connection.id] = connection
            local.memberships += 1
            return true
        }
        if added { await self.publishMembership(.join, of: connection, in: room) }
    }

    /// Removes `connection` from `room`.
    public func leave(_ connection: BroadcastConnection, room: String) async {
        let removed = self.local.withLock { local in
            guard local.rooms[room]?.removeValue(forKey: connection.id) != nil else { return false }
            if local.rooms[room]?.isEmpty == true { local.rooms.removeValue(forKey: room) }
            local.connections[connection.id]?.rooms.remove(room)
            local.memberships -= 1
            return true
        }
        if removed { await self.publishMembership(.leave, of: connection, in: room) }
    }

    private func publishMembership(_ kind: BroadcastEnvelope.Kind, of connection: BroadcastConnection, in room: String) async {
        var envelope = BroadcastEnvelope(kind, origin: self.instanceID)
        envelope.room = room
        envelope.member = connection.member
        await self.publish(envelope)
    }

    /// Sends `text` to every member of `room` on every instance, but `except` (a connection id).
    public func broadcast(_ text: String, to room: String, except: String? = nil) async {
        self.deliver(text, room: room, except: except)
        var envelope = BroadcastEnvelope(.room, origin: self.instanceID)
        envelope.room = room
        envelope.text = text
        envelope.except = except
        await self.publish(envelope)
    }

    /// Sends `text` to every connection on every instance, but `except`.
    public func broadcastToAll(_ text: String, except: String? = nil) async {
        self.deliver(text, room: nil, except: except)
        var envelope = BroadcastEnvelope(.all, origin: self.instanceID)
        envelope.text = text
        envelope.except = except
        await self.publish(envelope)
    }

    /// Sends `text` to one connection, on whichever instance holds it.
    public func send(_ text: String, to connectionID: String) async {
        if let connection = self.local.withLock({ $0.connections[connectionID]?.connection }) {
            connection.enqueue(text)
            return
        }
        guard !connectionID.hasPrefix("\(self.instanceID).") else { return }
        var envelope = BroadcastEnvelope(.direct, origin: self.instanceID)
        envelope.target = connectionID
        envelope.text = text
        await self.publish(envelope)
    }

    /// Who is in `room` on every live instance, this one first.
    public func members(of room: String) -> [PresenceMember] {
        let here = self.local.withLock { $0.rooms[room]?.values.map(\.member) ?? [] }
        let now = ContinuousClock.now
        let there = self.remote.withLock { $0.members(of: room, aliveAfter: now - self.configuration.presenceTimeout) }
        return here + there
    }

    /// Queues `text` on this instance's members of `room` (every connection when nil), but `except`.
    func deliver(_ text: String, room: String?, except: String?) {
        let targets: [BroadcastConnection] = self.local.withLock { local in
            if let room { return local.rooms[room].map { Array($0.values) } ?? [] }
            return local.connections.values.map(\.connection)
        }
        for connection in targets where connection.id != except {
            connection.enqueue(text)
        }
    }

    func publish(_ envelope: BroadcastEnvelope) async {
        do {
            try await self.backend.publish(envelope.encoded())
        } catch {
            self.logger.warning("broadcast publish failed", metadata: ["broadcast.error": "\(error)", "broadcast.kind": "\(envelope.kind)"])
        }
    }

    func noteGap() {
        self.gaps.add(1, ordering: .relaxed)
    }
}
