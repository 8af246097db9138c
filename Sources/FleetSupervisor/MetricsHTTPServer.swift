#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A minimal HTTP endpoint for Prometheus to scrape: any GET is answered with
/// `text()`, then the connection closes. The supervisor serves its metrics on
/// one (`fleet start --metrics-port`), and so does each worker (`METRICS_PORT`),
/// since workers sharing the app's port cannot be scraped one by one there.
public struct MetricsHTTPServer: Service {
    let host: String
    let port: Int
    let text: @Sendable () async -> String
    let logger: Logger

    /// - Parameters:
    ///   - host: the address to listen on; keep it private (loopback or an internal network).
    ///   - port: the port; bound with `SO_REUSEPORT`, so a reloaded worker's successor can bind it before its predecessor leaves.
    ///   - logger: where the listening address is logged.
    ///   - text: the metrics, in Prometheus' text format.
    public init(host: String, port: Int, logger: Logger, text: @escaping @Sendable () async -> String) {
        self.host = host
        self.port = port
        self.text = text
        self.logger = logger
    }

    public func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            .bind(host: self.host, port: self.port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        self.logger.info("metrics listening", metadata: ["server.address": "\(self.host)", "server.port": "\(server.channel.localAddress?.port ?? self.port)"])
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var request = ByteBuffer()
            for try await var chunk in inbound {
                request.writeBuffer(&chunk)
                // The head ends at the first blank line; a scrape has no body.
                guard request.readableBytesView.firstRange(of: "\r\n\r\n".utf8) != nil else {
                    if request.readableBytes > 16384 { return }
                    continue
                }
                let body = await self.text()
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                try await outbound.write(ByteBuffer(string: head + body))
                return
            }
        }
    }
}
