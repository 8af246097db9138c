import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 child channel with Fleet's two additions: the
/// race-free close on drain, and `FastRoutes` answered right after NIO's
/// HTTP decoder, ahead of Hummingbird's async handling.
public struct FleetHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let fastRoutes: FastRoutes
    let logger: Logger

    /// - Parameters:
    ///   - responder: the application's responder.
    ///   - fastRoutes: the routes answered on the event loop.
    ///   - logger: where fast answers log their access line.
    public init(responder: @escaping HTTPChannelHandler.Responder, fastRoutes: FastRoutes = FastRoutes(), logger: Logger) {
        self.base = HTTP1Channel(responder: responder, configuration: .fleet)
        self.fastRoutes = fastRoutes
        self.logger = logger
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        self.base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            if !self.fastRoutes.isEmpty {
                let operations = channel.pipeline.syncOperations
                let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                try operations.addHandler(FastPathHandler(routes: self.fastRoutes, logger: self.logger), position: .after(decoder))
            }
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await self.base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// Fleet's HTTP/1.1 server: Hummingbird's, with close on drain and `fastRoutes`.
    public static func fleet(fastRoutes: FastRoutes = FastRoutes(), logger: Logger) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in FleetHTTP1Channel(responder: responder, fastRoutes: fastRoutes, logger: logger) }
    }
}
