import Synchronization

/// One client of a `Broadcaster` (a WebSocket, say): a bounded queue of
/// messages to send it, drained by whoever owns the socket.
///
/// Broadcasts never wait for a connection: they enqueue. When the queue is
/// full the connection is closed as too slow, so one slow client never slows
/// a room.
public final class BroadcastConnection: Sendable {
    /// Why a connection is being closed.
    public enum CloseReason: Sendable, Equatable {
        /// Its queue overflowed: the client reads too slowly.
        case tooSlow
        /// The instance is shutting down or reloading.
        case goingAway
    }

    /// Unique across instances: `<instance>.<number>`.
    public let id: String
    /// Who is connected.
    public let user: String
    /// The messages to send, in order; ends when the connection is closed.
    public let outbox: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let closeReason = Mutex<CloseReason?>(nil)
    private let onClose: @Sendable (CloseReason) -> Void

    init(id: String, user: String, queueLimit: Int, onClose: @escaping @Sendable (CloseReason) -> Void) {
        self.id = id
        self.user = user
        (self.outbox, self.continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(queueLimit))
        self.onClose = onClose
    }

    /// The member presence lists for this connection.
    public var member: PresenceMember { PresenceMember(id: self.id, user: self.user) }

    /// Why the connection was closed, once it was.
    public var closedBecause: CloseReason? { self.closeReason.withLock { $0 } }

    /// Queues `text`; closes the connection as too slow when the queue is full.
    public func enqueue(_ text: String) {
        if case .dropped = self.continuation.yield(text) {
            self.close(.tooSlow)
        }
    }

    /// Ends the queue and asks the owner to close the socket; the first reason wins.
    public func close(_ reason: CloseReason) {
        let first = self.closeReason.withLock { current in
            defer { current = current ?? reason }
            return current == nil
        }
        guard first else { return }
        self.continuation.finish()
        self.onClose(reason)
    }
}
