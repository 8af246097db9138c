import FleetHTTP
import NIOCore
import NIOEmbedded

/// One keep-alive connection through Fleet's real HTTP/1 pipeline
/// (`FleetHTTP1Channel.setup`) on an `EmbeddedChannel`: no socket, no thread
/// hop, so a request's allocations are the pipeline's and the route's alone.
/// Only requests the fast path answers can be measured here: a request it
/// passes on waits for Hummingbird's async handler (see `AsyncConnection`).
final class EmbeddedConnection {
    private let channel = EmbeddedChannel()
    private var reader = ResponseReader()
    /// Hummingbird's side of the connection, never served here: kept, as its
    /// writer must not be released unfinished while the channel is open.
    private var value: FleetHTTP1Channel.Value?

    init(fastRoutes: FastRoutes) throws {
        let http1 = FleetHTTP1Channel(responder: { _, _, _ in }, fastRoutes: fastRoutes, logger: Fixture.logger)
        self.value = try http1.setup(channel: self.channel, logger: Fixture.logger).wait()
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: 50_000)
        try self.channel.connect(to: peer).wait()
        self.channel.remoteAddress = peer
    }

    /// Sends `request` and reads the whole response; returns its size in bytes.
    @discardableResult
    func send(_ request: ByteBuffer) throws -> Int {
        self.reader.reset()
        try self.channel.writeInbound(request)
        while let part = try self.channel.readOutbound(as: ByteBuffer.self) {
            if try self.reader.append(part) { return self.reader.bytes.readableBytes }
        }
        throw BenchmarkSetupError("the fast path did not answer; it wrote: \(self.reader.text)")
    }

    /// The whole response to `request`, for the check made before measuring.
    func response(to request: ByteBuffer) throws -> String {
        try self.send(request)
        return self.reader.text
    }
}
