import NIOCore
import NIOPosix

/// Splits a byte stream into lines, holding a partial line until its end arrives.
struct LineSplitter {
    private var pending: [UInt8] = []
    /// A line longer than this is cut, so a worker cannot make the supervisor hold unbounded memory.
    let maxLineLength: Int

    init(maxLineLength: Int = 64 << 10) {
        self.maxLineLength = maxLineLength
    }

    mutating func lines(in buffer: ByteBuffer) -> [String] {
        self.lines(in: buffer.readableBytesView)
    }

    mutating func lines(in bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(String(decoding: self.pending, as: UTF8.self))
                self.pending.removeAll(keepingCapacity: true)
            } else if self.pending.count < self.maxLineLength {
                self.pending.append(byte)
            }
        }
        return lines
    }

    /// What is left when the stream ends without a final newline.
    mutating func remainder() -> String? {
        defer { self.pending.removeAll() }
        return self.pending.isEmpty ? nil : String(decoding: self.pending, as: UTF8.self)
    }
}

/// Reads `descriptor` until end of file, handing each line to `handle`; closes it.
func readLines(_ descriptor: Int32, _ handle: @Sendable (String) async -> Void) async {
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
        // The other end went away; a worker's exit is handled by the reaper, a supervisor's ends the worker.
    }
}
