import FleetHTTP
import FleetRedis
import FleetState
import Hummingbird
import HummingbirdWebSocket
import Logging

extension DemoService {
    /// Chat rooms on the broadcaster the configuration names: the WebSocket
    /// router (behind the session middleware, so a login names the user) and
    /// the routes to add to the HTTP router.
    static func chat(
        configuration: FleetConfiguration, redis: RedisClient?, sessions: SessionManager, logger: Logger
    ) throws(ConfigurationError) -> (broadcaster: Broadcaster, routes: ChatRoutes, upgrade: FleetWebSocketUpgrade) {
        let broadcaster = try Broadcaster(configuration: configuration.webSocket, redis: redis, logger: logger)
        logger.info("chat rooms broadcast through \(broadcaster.backendName)", metadata: ["broadcast.instance": "\(broadcaster.instanceID)"])
        let routes = ChatRoutes(
            chat: BroadcastWebSocket(broadcaster: broadcaster, maxMessageSize: ChatMessage.maxText * 2),
            limiter: RateLimiter(backend: RateLimitMemoryBackend(), logger: logger),
            messageLimit: configuration.webSocket.messageLimit
        )
        let router = Router(context: ChatRequestContext.self)
        router.add(middleware: SessionMiddleware(sessions: sessions, secure: configuration.sessionCookieSecure))
        routes.registerUpgrade(on: router)
        return (broadcaster, routes, FleetWebSocketUpgrade(router: router))
    }
}
