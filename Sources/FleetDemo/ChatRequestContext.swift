import FleetHTTP
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The context of a `/chat/:room` upgrade request: the session names the
/// user, and the channel is kept for the WebSocket that follows.
public struct ChatRequestContext: RequestContext, WebSocketRequestContext, SessionRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket = WebSocketHandlerReference<ChatRequestContext>()
    public let session = RequestSession()
    /// The connection being upgraded.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
