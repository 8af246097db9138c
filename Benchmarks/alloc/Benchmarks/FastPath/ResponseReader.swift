import NIOCore

/// Collects the bytes of one HTTP/1.1 response as they are written out, and
/// says when it is whole: its head ended and `Content-Length` body bytes came.
/// It keeps one buffer across requests, so reading costs no allocation.
struct ResponseReader {
    private(set) var bytes = ByteBuffer()
    private var expected: Int?

    init() {
        self.bytes.reserveCapacity(1024)
    }

    mutating func reset() {
        self.bytes.clear()
        self.expected = nil
    }

    /// Appends what the channel wrote; true once the response is whole.
    mutating func append(_ part: ByteBuffer) throws -> Bool {
        self.bytes.writeImmutableBuffer(part)
        if self.expected == nil, let headEnd = self.headEnd() {
            self.expected = headEnd + (try self.contentLength(before: headEnd))
        }
        guard let expected else { return false }
        return self.bytes.readableBytes >= expected
    }

    /// The status line and body, for the check made once before measuring.
    var text: String { String(buffer: self.bytes) }

    /// The offset just past the blank line that ends the head.
    private func headEnd() -> Int? {
        self.bytes.readableBytesView.withContiguousStorageIfAvailable { view -> Int? in
            guard view.count >= 4 else { return nil }
            for index in 0...(view.count - 4)
            where view[index] == 13 && view[index + 1] == 10 && view[index + 2] == 13 && view[index + 3] == 10 {
                return index + 4
            }
            return nil
        } ?? nil
    }

    private func contentLength(before headEnd: Int) throws -> Int {
        let name = Array("\r\ncontent-length:".utf8)
        let head = self.bytes.readableBytesView.prefix(headEnd)
        var index = head.startIndex
        while index + name.count <= head.endIndex {
            if zip(head[index..<(index + name.count)], name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                var value = 0
                var digit = index + name.count
                while digit < head.endIndex, head[digit] == 32 { digit += 1 }
                while digit < head.endIndex, (48...57).contains(head[digit]) {
                    value = value * 10 + Int(head[digit] - 48)
                    digit += 1
                }
                return value
            }
            index += 1
        }
        throw BenchmarkSetupError("a response without Content-Length: \(self.text)")
    }
}
