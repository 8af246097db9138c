import FleetState
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Serves one WebSocket as a connection of a `Broadcaster`: what its rooms
/// receive is written to the socket from a bounded queue; what the client
/// sends goes to `onText`.
///
/// A client too slow for its queue is closed with 1008 (policy violation,
/// reason "too slow"); when the server drains, every socket is closed with
/// 1001 (going away) so clients reconnect to another worker.
public struct BroadcastWebSocket: Sendable {
    /// The close code for a client whose send queue overflowed.
    public static let tooSlowCode = WebSocketErrorCode.policyViolation
    /// How long a client whose queue overflowed has to take the close frame before the socket is cut.
    public static let tooSlowGrace = TimeAmount.seconds(1)

    public let broadcaster: Broadcaster
    /// The largest message a client may send, in bytes.
    public var maxMessageSize: Int

    /// - Parameters:
    ///   - broadcaster: the rooms.
    ///   - maxMessageSize: the largest message a client may send. Default 16 KiB.
    public init(broadcaster: Broadcaster, maxMessageSize: Int = 16 << 10) {
        self.broadcaster = broadcaster
        self.maxMessageSize = maxMessageSize
    }

    /// Runs the connection until either side closes it.
    /// - Parameters:
    ///   - user: who is connected, for presence.
    ///   - channel: the upgraded channel (`source.channel` of the request context).
    ///   - inbound: what the client sends.
    ///   - outbound: where messages to the client go.
    ///   - onOpen: called once the connection exists: join its rooms here.
    ///   - onText: called for each text message the client sends, in order.
    public func serve(
        user: String,
        channel: any Channel,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        onOpen: @Sendable (BroadcastConnection) async throws -> Void,
        onText: @Sendable (String, BroadcastConnection) async throws -> Void
    ) async throws {
        let connection = self.broadcaster.connect(user: user) { reason in
            if reason == .tooSlow {
                // The writer may be stuck on a socket the client no longer reads.
                channel.eventLoop.scheduleTask(in: Self.tooSlowGrace) { channel.close(promise: nil) }
            }
        }
        channel.whenQuiescing { connection.close(.goingAway) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in connection.outbox {
                    try await outbound.write(.text(text))
                }
                switch connection.closedBecause {
                case .tooSlow: try await outbound.close(Self.tooSlowCode, reason: "too slow")
                case .goingAway: try await outbound.close(.goingAway, reason: "going away")
                case nil: return
                }
            }
            do {
                try await onOpen(connection)
                for try await message in inbound.messages(maxSize: self.maxMessageSize) {
                    guard case .text(let text) = message else { continue }
                    try await onText(text, connection)
                }
            } catch {
                await self.broadcaster.disconnect(connection)
                throw error
            }
            await self.broadcaster.disconnect(connection)
            group.cancelAll()
        }
    }
}
