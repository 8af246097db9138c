import NIOCore

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
