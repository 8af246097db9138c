import Foundation
import NIOCore
import NIOPosix

/// Talks to a running supervisor over its control socket (`fleet list`, `reload`, `scale`, `stop`).
public struct ControlClient: Sendable {
    /// The control socket: `<state directory>/<app name>.sock`.
    public let path: String

    /// - Parameters:
    ///   - name: the app's name.
    ///   - stateDirectory: the supervisor's state directory.
    public init(name: String, stateDirectory: String) {
        self.path = "\(stateDirectory)/\(name).sock"
    }

    /// Sends `request` and returns the supervisor's answer.
    public func send(_ request: ControlRequest) async throws -> ControlResponse {
        let connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: self.path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SupervisorError(.control, "no supervisor answers at \(self.path): is `fleet start` running with this --name and state directory?")
        }
        var data = try JSONEncoder().encode(request)
        data.append(UInt8(ascii: "\n"))
        return try await connection.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: data))
            var splitter = LineSplitter(maxLineLength: 16 << 20)
            for try await chunk in inbound {
                if let line = splitter.lines(in: chunk).first {
                    return try JSONDecoder().decode(ControlResponse.self, from: Data(line.utf8))
                }
            }
            throw SupervisorError(.control, "the supervisor closed the control connection without answering")
        }
    }
}
