#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix

extension Supervisor {
    /// Forwards a worker's stdout and stderr, line by line, to the log sink.
    nonisolated func readOutput(_ descriptor: Int32, instance: Int, pid: pid_t) async {
        let name = self.configuration.name
        await Self.readLines(descriptor) { line in
            await self.logSink?.write(line: line, app: name, instance: instance, pid: pid)
            await self.record(output: line, pid: pid)
        }
    }

    /// Reads the worker's messages on its link (`prepared`, `ready`, `released`).
    nonisolated func readLink(_ descriptor: Int32, pid: pid_t) async {
        await Self.readLines(descriptor) { line in
            guard let data = line.data(using: .utf8),
                let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let type = message["type"] as? String
            else { return }
            await self.workerSent(type, pid: pid)
        }
    }

    /// Reads `descriptor` until end of file, handing each line to `handle`; closes it.
    nonisolated static func readLines(_ descriptor: Int32, _ handle: @Sendable (String) async -> Void) async {
        do {
            let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .takingOwnershipOfDescriptor(input: descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            var splitter = LineSplitter()
            try await channel.executeThenClose { inbound, _ in
                for try await chunk in inbound {
                    for line in splitter.lines(in: chunk) { await handle(line) }
                }
            }
            if let last = splitter.remainder() { await handle(last) }
        } catch {
            // The worker went away; its exit is handled by the reaper.
        }
    }
}
