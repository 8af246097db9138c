import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Opens the channel of a `RedisConnection`: TCP or Unix socket, optionally TLS.
struct RedisConnectionFactory: Sendable {
    let configuration: RedisConnectionConfiguration
    let logger: Logger

    func makeChannel(on eventLoop: any EventLoop) async throws -> RedisConnection {
        let queue = RedisSubmissionQueue()
        let sslContext = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        let configuration = self.configuration
        let logger = self.logger
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let hostname: String?
                        if case .tcp(let host, _) = configuration.endpoint.base, !host.isIPAddress {
                            hostname = host
                        } else {
                            hostname = nil
                        }
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: hostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    let handler = RedisChannelHandler(queue: queue, parser: configuration.parser, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            switch configuration.endpoint.base {
            case .tcp(let host, let port):
                bootstrap = bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1)
                channel = try await bootstrap.connect(host: host, port: port).get()
            case .unix(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            throw RedisError(.connectFailed, "cannot connect to \(configuration.endpoint)", underlying: error)
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return RedisConnection(
            channel: channel, queue: queue, handler: handler,
            commandTimeout: configuration.commandTimeout, logger: logger
        )
    }
}

extension String {
    /// True for dotted IPv4 and for IPv6 literals, which TLS SNI must not carry.
    var isIPAddress: Bool {
        contains(":") || (split(separator: ".").count == 4 && allSatisfy { $0.isNumber || $0 == "." })
    }
}
