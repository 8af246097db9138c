import FleetHTTP
import HummingbirdCore
import NIOCore
import NIOEmbedded

/// One keep-alive connection through `FleetHTTP1Channel` on a
/// `NIOAsyncTestingChannel`, with Hummingbird's async handler running: a
/// request the fast path passes on goes through the router, as on a socket.
/// The testing channel's own hops (its event loop is a dispatch queue) are
/// counted too, so compare the router to the fast path on this same harness.
final class AsyncConnection: Sendable {
    private let channel: NIOAsyncTestingChannel

    init(fastRoutes: FastRoutes) async throws {
        let channel = NIOAsyncTestingChannel()
        let http1 = FleetHTTP1Channel(responder: Fixture.responder(), fastRoutes: fastRoutes, logger: Fixture.logger)
        let value = try await channel.eventLoop.flatSubmit { http1.setup(channel: channel, logger: Fixture.logger) }.get()
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: 50_000)
        try await channel.connect(to: peer).get()
        channel.remoteAddress = peer
        self.channel = channel
        // Serves the connection until the process ends, as a server's connection task does.
        Task { await http1.handle(value: value, logger: Fixture.logger) }
    }

    /// Sends `request` and waits for the whole response, read into `reader`.
    func send(_ request: ByteBuffer, into reader: inout ResponseReader) async throws {
        reader.reset()
        try await self.channel.writeInbound(request)
        while true {
            let part = try await self.channel.waitForOutboundWrite(as: ByteBuffer.self)
            if try reader.append(part) { return }
        }
    }

    /// The whole response to `request`, for the check made before measuring.
    func response(to request: ByteBuffer) async throws -> String {
        var reader = ResponseReader()
        try await self.send(request, into: &reader)
        return reader.text
    }
}
