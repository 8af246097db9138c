#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The supervisor's control socket: a Unix socket only its owner may use
/// (mode 0600), one JSON request and one JSON response per connection.
struct ControlServer: Sendable {
    let path: String
    let supervisor: Supervisor
    let logger: Logger

    func run() async throws {
        unlink(self.path)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: self.path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(self.path, 0o600)
        defer { unlink(self.path) }
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var splitter = LineSplitter()
            for try await chunk in inbound {
                guard let line = splitter.lines(in: chunk).first else { continue }
                let response = await self.answer(line)
                var data = try JSONEncoder().encode(response)
                data.append(UInt8(ascii: "\n"))
                try await outbound.write(ByteBuffer(bytes: data))
                return
            }
        }
    }

    func answer(_ line: String) async -> ControlResponse {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line.utf8)) else {
            return ControlResponse(ok: false, error: "the request is not a JSON control request")
        }
        do {
            switch request.command {
            case "list":
                return ControlResponse(ok: true, status: await self.supervisor.status())
            case "describe":
                return ControlResponse(ok: true, definition: await self.supervisor.definition())
            case "metrics":
                return ControlResponse(ok: true, metrics: await self.supervisor.fleetMetricsText())
            case "reload":
                let elapsed = try await self.supervisor.reload(environment: request.environment)
                let seconds = elapsed.seconds
                return ControlResponse(ok: true, status: await self.supervisor.status(), seconds: seconds)
            case "scale":
                guard let instances = request.instances else { return ControlResponse(ok: false, error: "scale needs instances") }
                try await self.supervisor.scale(to: instances)
                return ControlResponse(ok: true, status: await self.supervisor.status())
            case "stop":
                await self.supervisor.stop()
                return ControlResponse(ok: true)
            default:
                return ControlResponse(ok: false, error: "unknown command \(request.command); expected list, describe, metrics, reload, scale or stop")
            }
        } catch {
            return ControlResponse(ok: false, error: error.message, status: await self.supervisor.status())
        }
    }
}
