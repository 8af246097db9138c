import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// `FleetHTTP1Channel` that also upgrades to WebSocket: HummingbirdWebSocket's
/// upgrade channel with Fleet's fast path, race-free close on drain, and a
/// 1001 close for upgraded connections when the server drains.
public struct FleetWebSocketChannel: ServerChildChannel {
    public typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let base: HTTP1WebSocketUpgradeChannel
    let fastRoutes: FastRoutes
    let logger: Logger

    /// - Parameters:
    ///   - responder: the application's responder for plain HTTP.
    ///   - webSocketResponder: answers upgrade requests; `ws` routes there decide whether to upgrade.
    ///   - configuration: frame size, ping, close timeout.
    ///   - fastRoutes: the routes answered on the event loop.
    ///   - logger: where fast answers log their access line.
    public init<WebSocketResponder: HTTPResponder>(
        responder: @escaping HTTPChannelHandler.Responder,
        webSocketResponder: WebSocketResponder,
        configuration: WebSocketServerConfiguration,
        fastRoutes: FastRoutes,
        logger: Logger
    ) where WebSocketResponder.Context: WebSocketRequestContext {
        self.base = HTTP1WebSocketUpgradeChannel(
            responder: responder,
            webSocketResponder: webSocketResponder,
            configuration: .init(http1: .fleet, ws: configuration)
        )
        self.fastRoutes = fastRoutes
        self.logger = logger
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        self.base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(GoingAwayHandler(), position: .first)
            if !self.fastRoutes.isEmpty {
                let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try operations.addHandler(
                    FastPathHandler(routes: self.fastRoutes, logger: self.logger, upgradable: true), position: .after(decoder)
                )
            }
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async {
        // swift-websocket closes with 1000 (normal) when it sees the graceful shutdown
        // of the task it runs in, racing the drain's 1001 (GoingAwayHandler). A detached
        // task does not inherit the shutdown: the drain's quiesce event closes every
        // connection, HTTP or WebSocket. One task per connection, not per request.
        let connection = Task.detached {
            await self.base.handle(value: value, logger: logger)
        }
        await withTaskCancellationHandler {
            await connection.value
        } onCancel: {
            connection.cancel()
        }
    }
}

/// The WebSocket routes of a Fleet server, for `FleetApplication` and `HTTPServerBuilder.fleet`.
public struct FleetWebSocketUpgrade: Sendable {
    let makeChannel: @Sendable (@escaping HTTPChannelHandler.Responder, FastRoutes, Logger) -> FleetWebSocketChannel

    /// - Parameters:
    ///   - router: a router of `ws` routes (and the middleware they need, such as sessions).
    ///   - configuration: frame size, ping, close timeout.
    public init<Builder: HTTPResponderBuilder>(router: Builder, configuration: WebSocketServerConfiguration = .init())
    where Builder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = router.buildResponder()
        self.makeChannel = { responder, fastRoutes, logger in
            FleetWebSocketChannel(
                responder: responder, webSocketResponder: webSocketResponder, configuration: configuration, fastRoutes: fastRoutes, logger: logger
            )
        }
    }
}

extension HTTPServerBuilder {
    /// Fleet's HTTP/1.1 server with `webSocket`'s routes upgrading to WebSocket.
    public static func fleet(fastRoutes: FastRoutes = FastRoutes(), webSocket: FleetWebSocketUpgrade, logger: Logger) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in webSocket.makeChannel(responder, fastRoutes, logger) }
    }
}
