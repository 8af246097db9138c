import FleetHTTP
import FleetState
import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Chat rooms over WebSocket: `GET /chat/:room` upgrades; each text the client
/// sends as `{"text": "..."}` reaches every member of the room, on every
/// instance, as `{user, text, ts}`. The login session names the user.
struct ChatRoutes: Sendable {
    let chat: BroadcastWebSocket
    /// Counts each connection's messages; per connection, so this process's memory is the right place.
    let limiter: RateLimiter
    let messageLimit: RateLimitPolicy?

    /// A room name: 1 to 64 letters, digits, `-`, `_` or `.`.
    static func isValidRoom(_ room: String) -> Bool {
        (1...64).contains(room.utf8.count)
            && room.utf8.allSatisfy { $0 < 0x80 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber || "-_.".utf8.contains($0)) }
    }

    /// The upgrade route, on the WebSocket router.
    func registerUpgrade(on router: Router<ChatRequestContext>) {
        router.ws("/chat/:room") { _, context in
            guard let room = context.parameters.get("room"), Self.isValidRoom(room) else { return .dontUpgrade }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let requestContext = context.requestContext
            let room = requestContext.parameters.get("room") ?? ""
            let user = requestContext.session.userID.map { "user-\($0)" } ?? "guest"
            try await self.chat.serve(
                user: user, channel: requestContext.channel, inbound: inbound, outbound: outbound,
                onOpen: { connection in
                    connection.enqueue(Self.welcome(connection, room: room))
                    await self.chat.broadcaster.join(connection, room: room)
                },
                onText: { text, connection in await self.received(text, from: connection, room: room) }
            )
        }
    }

    /// The HTTP side: who is in a room, and a problem for a plain GET of the upgrade path.
    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.get("/chat/:room/presence") { _, context in
            let room = try Self.room(context)
            let members = self.chat.broadcaster.members(of: room)
            let list = members.map { #"{"id":\#(JSONString.quoted($0.id)),"user":\#(JSONString.quoted($0.user))}"# }
            let body = #"{"room":\#(JSONString.quoted(room)),"count":\#(members.count),"members":[\#(list.joined(separator: ","))]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/chat/:room") { _, context -> Response in
            _ = try Self.room(context)
            throw Problem(
                "upgrade-required", title: "Upgrade required", status: .upgradeRequired,
                detail: "GET /chat/:room is a WebSocket: send Connection: Upgrade and Upgrade: websocket.", field: "Upgrade"
            )
        }
    }

    static func room(_ context: some RequestContext) throws -> String {
        guard let room = context.parameters.get("room"), Self.isValidRoom(room) else {
            throw Problem.invalidParameter("room", "A room is 1 to 64 letters, digits, '-', '_' or '.'.")
        }
        return room
    }

    /// The first message a client receives: its connection id (for direct messages and presence), user and room.
    static func welcome(_ connection: BroadcastConnection, room: String) -> String {
        #"{"type":"welcome","id":\#(JSONString.quoted(connection.id)),"user":\#(JSONString.quoted(connection.user)),"room":\#(JSONString.quoted(room))}"#
    }

    /// Rate-limits, validates and broadcasts one message; a refusal goes back to its sender only.
    func received(_ text: String, from connection: BroadcastConnection, room: String) async {
        if let policy = self.messageLimit,
            let decision = self.limiter.acquireNow([RateLimitCheck(policy: policy, key: connection.id)]), !decision.isAllowed
        {
            var refusal = ChatError(error: "rate-limited", detail: "At most \(policy.limit) messages per \(policy.window).", field: nil)
            refusal.retryAfterMilliseconds = decision.retryAfterMilliseconds
            connection.enqueue(refusal.json)
            return
        }
        switch ChatMessage.parse(text, user: connection.user) {
        case .success(let message):
            await self.chat.broadcaster.broadcast(message.json, to: room)
        case .failure(let error):
            connection.enqueue(error.json)
        }
    }
}
