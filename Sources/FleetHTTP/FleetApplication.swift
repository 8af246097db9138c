import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A Hummingbird application that can also serve on an inherited listening
/// socket: the supervisor's, or systemd's under socket activation.
///
/// Hummingbird binds only by address; when `listeningSocket` is set this type
/// adopts that descriptor with NIO and serves it with Hummingbird's own
/// `HTTP1Channel`, so a worker starts accepting on a socket that never closed.
public struct FleetApplication<Responder: HTTPResponder>: ApplicationProtocol
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    /// The application as Hummingbird would run it by address.
    public var base: Application<Responder>
    /// An inherited, already listening socket to serve instead of binding `base.configuration.address`.
    public var listeningSocket: Int32?
    /// The link to a Fleet supervisor, which says when this worker may start accepting.
    public var supervisorLink: Int32?
    /// GET routes an inherited socket's connections answer on the event loop;
    /// give `base` the same with `server: .fleet(fastRoutes:logger:)`.
    public var fastRoutes: FastRoutes
    /// WebSocket routes an inherited socket's connections may upgrade to;
    /// give `base` the same with `server: .fleet(fastRoutes:webSocket:logger:)`.
    public var webSocket: FleetWebSocketUpgrade?

    /// - Parameters:
    ///   - base: the application: router, services, configuration.
    ///   - listeningSocket: a listening descriptor to adopt, or nil to bind by address.
    ///   - supervisorLink: the supervisor link (`FLEET_IPC_FD`), when a supervisor started this process.
    ///   - fastRoutes: the routes answered on the event loop.
    ///   - webSocket: the routes that upgrade to WebSocket, if any.
    public init(
        base: Application<Responder>, listeningSocket: Int32?, supervisorLink: Int32? = nil, fastRoutes: FastRoutes = FastRoutes(),
        webSocket: FleetWebSocketUpgrade? = nil
    ) {
        self.base = base
        self.listeningSocket = listeningSocket
        self.supervisorLink = supervisorLink
        self.fastRoutes = fastRoutes
        self.webSocket = webSocket
    }

    public var responder: Responder { self.base.responder }
    public var server: HTTPServerBuilder { self.base.server }
    public var configuration: ApplicationConfiguration { self.base.configuration }
    public var eventLoopGroup: any EventLoopGroup { self.base.eventLoopGroup }
    public var logger: Logger { self.base.logger }
    public var services: [any Service] { self.base.services }
    public var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { self.base.processesRunBeforeServerStart }
    public func onServerRunning(_ channel: any Channel) async { await self.base.onServerRunning(channel) }

    public func run() async throws {
        guard let socket = self.listeningSocket else {
            try await self.base.run()
            return
        }
        let server = InheritedSocketServer(
            socket: socket,
            supervisorLink: self.supervisorLink,
            responder: self.base.responder,
            eventLoopGroup: self.eventLoopGroup,
            logger: self.logger,
            prelude: self.processesRunBeforeServerStart,
            onServerRunning: { await self.base.onServerRunning($0) },
            fastRoutes: self.fastRoutes,
            webSocket: self.webSocket
        )
        let group = ServiceGroup(configuration: .init(services: self.services + [server], logger: self.logger))
        try await group.run()
    }
}
