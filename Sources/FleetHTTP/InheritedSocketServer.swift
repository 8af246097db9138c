import HTTPTypes
import Hummingbird
import HummingbirdCore
import FleetSupervisor
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves HTTP/1.1 on a listening socket this process inherited.
///
/// On graceful shutdown it stops accepting, lets every connection finish its
/// request in flight, closes idle keep-alive connections, and returns.
struct InheritedSocketServer<Responder: HTTPResponder>: Service
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let socket: Int32
    let supervisorLink: Int32?
    let responder: Responder
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let prelude: [@Sendable () async throws -> Void]
    let onServerRunning: @Sendable (any Channel) async -> Void
    let fastRoutes: FastRoutes
    let webSocket: FleetWebSocketUpgrade?

    func run() async throws {
        for process in self.prelude {
            try await process()
        }
        if let link = self.supervisorLink {
            // Under a supervisor the socket may still be another worker's: wait for our turn.
            guard try await SupervisorLink.prepareAndWaitForAccept(descriptor: link) else {
                self.logger.notice("stopped, or the supervisor went away, before it handed over the socket")
                return
            }
        }
        let dates = HTTPDateHeader.shared
        let responder = self.responder
        let logger = self.logger
        let respond: HTTPChannelHandler.Responder = { request, writer, channel in
            var requestLogger = logger
            requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
            let context = Responder.Context(source: .init(channel: channel, logger: requestLogger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error
            } catch {
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = dates.value
            try await writer.write(response: response.head, body: response.body)
        }
        if let webSocket = self.webSocket {
            try await self.serve(webSocket.makeChannel(respond, self.fastRoutes, logger))
        } else {
            try await self.serve(FleetHTTP1Channel(responder: respond, fastRoutes: self.fastRoutes, logger: logger))
        }
    }

    /// Accepts on the socket and serves each connection with `http1` until graceful shutdown.
    private func serve<ChildChannel: ServerChildChannel>(_ http1: ChildChannel) async throws {
        let logger = self.logger
        let quiescing = ServerQuiescingHelper(group: self.eventLoopGroup)
        let serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(NIOBSDSocket.Handle(self.socket)) { channel in
                http1.setup(channel: channel, logger: logger)
            }
        logger.info("serving an inherited socket", metadata: ["server.socket": "\(self.socket)"])
        await withGracefulShutdownHandler {
            await self.onServerRunning(serverChannel.channel)
            if let link = self.supervisorLink {
                WorkerBus.current?.startReading()
                SupervisorLink.send("ready", descriptor: link)
            }
            await withDiscardingTaskGroup { group in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await http1.handle(value: connection, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("accepting connections failed", metadata: ["error.message": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            let drained = serverChannel.channel.eventLoop.makePromise(of: Void.self)
            quiescing.initiateShutdown(promise: drained)
            if let link = self.supervisorLink {
                serverChannel.channel.closeFuture.whenComplete { _ in SupervisorLink.send("released", descriptor: link) }
            }
        }
    }
}
