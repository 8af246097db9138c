import NIOCore

/// An incremental HTTP/1.1 response parser that keeps only what a load test needs:
/// status, whether the connection closes, and (when asked) the body.
///
/// wrk parses this little too; NIO's full decoder allocates a header dictionary per response.
struct ResponseParser: Sendable {
    struct Response: Sendable, Equatable {
        var status: Int
        var close: Bool
        var body: ByteBuffer?
    }

    struct ParseError: Error, Equatable {
        var reason: String
    }

    private enum State: Sendable {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case trailers
        case untilClose
    }

    /// Keep the body of each response (only for body checks).
    var collectBody = false
    /// The next response answers a HEAD request and has no body whatever its headers say.
    var bodyless = false
    private var state = State.head
    private var scanned = 0
    private var current = Response(status: 0, close: false, body: nil)

    /// Consumes bytes from `buffer`; returns a response once one is complete, else nil (needs more bytes).
    mutating func parse(_ buffer: inout ByteBuffer) throws -> Response? {
        while true {
            switch state {
            case .head:
                guard let headLength = findHeadEnd(buffer) else { return nil }
                let head = buffer.readSlice(length: headLength)!
                scanned = 0
                let (response, framing) = try Self.parseHead(head)
                if (100..<200).contains(response.status) { continue }
                current = response
                if collectBody { current.body = ByteBuffer() }
                if bodyless || response.status == 204 || response.status == 304 {
                    return finish()
                }
                switch framing {
                case .length(0): return finish()
                case .length(let length): state = .body(remaining: length)
                case .chunked: state = .chunkSize
                case .close: state = .untilClose
                }
            case .body(let remaining):
                let take = min(remaining, buffer.readableBytes)
                consumeBody(&buffer, take)
                if take == remaining { return finish() }
                state = .body(remaining: remaining - take)
                return nil
            case .chunkSize:
                guard let line = readLine(&buffer) else { return nil }
                let hex = String(line.prefix { $0 != ";" }).trimmingWhitespace()
                guard let size = Int(hex, radix: 16), size >= 0 else { throw ParseError(reason: "bad chunk size '\(line)'") }
                state = size == 0 ? .trailers : .chunkData(remaining: size + 2)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.readableBytes)
                // The last two bytes are the chunk's CRLF, not body.
                let bodyBytes = max(0, min(take, remaining - 2))
                consumeBody(&buffer, bodyBytes)
                buffer.moveReaderIndex(forwardBy: take - bodyBytes)
                if take == remaining { state = .chunkSize } else { state = .chunkData(remaining: remaining - take); return nil }
            case .trailers:
                guard let line = readLine(&buffer) else { return nil }
                if line.isEmpty { return finish() }
            case .untilClose:
                consumeBody(&buffer, buffer.readableBytes)
                return nil
            }
        }
    }

    /// The peer closed: completes a response framed by the connection's end, else nil.
    mutating func parseEOF() -> Response? {
        if case .untilClose = state { return finish() }
        return nil
    }

    /// True while a response is partly read.
    var isMidResponse: Bool {
        if case .head = state { return scanned > 0 }
        return true
    }

    private mutating func finish() -> Response {
        state = .head
        bodyless = false
        return current
    }

    private mutating func consumeBody(_ buffer: inout ByteBuffer, _ count: Int) {
        guard count > 0 else { return }
        if collectBody, var slice = buffer.readSlice(length: count) {
            current.body?.writeBuffer(&slice)
        } else {
            buffer.moveReaderIndex(forwardBy: count)
        }
    }

    private mutating func findHeadEnd(_ buffer: ByteBuffer) -> Int? {
        let found: Int? = buffer.withUnsafeReadableBytes { bytes in
            var index = max(scanned, 3)
            while index < bytes.count {
                if bytes[index] == 10, bytes[index - 1] == 13, bytes[index - 2] == 10, bytes[index - 3] == 13 { return index + 1 }
                index += 1
            }
            return nil
        }
        if found == nil { scanned = max(buffer.readableBytes, 1) }
        return found
    }

    private func readLine(_ buffer: inout ByteBuffer) -> String? {
        guard let newline = buffer.readableBytesView.firstIndex(of: 10) else { return nil }
        var bytes = buffer.readBytes(length: newline - buffer.readerIndex + 1)!
        bytes.removeLast()
        if bytes.last == 13 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private enum Framing { case length(Int), chunked, close }

    private static func parseHead(_ head: ByteBuffer) throws -> (Response, Framing) {
        try head.withUnsafeReadableBytes { bytes in
            // "HTTP/1.1 200 ..."
            guard bytes.count >= 12, bytes[0] == UInt8(ascii: "H"), bytes[4] == UInt8(ascii: "/") else {
                throw ParseError(reason: "not an HTTP/1.x status line")
            }
            var status = 0
            for index in 9..<12 {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { throw ParseError(reason: "bad status code") }
                status = status * 10 + digit
            }
            let http10 = bytes[7] == UInt8(ascii: "0")
            var close = http10
            var framing = Framing.close
            var lineStart = 0
            while lineStart < bytes.count, bytes[lineStart] != 10 { lineStart += 1 }
            lineStart += 1
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 10 { lineEnd += 1 }
                var colon = lineStart
                while colon < lineEnd, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
                if colon < lineEnd {
                    let name = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<colon])
                    var valueStart = colon + 1
                    var valueEnd = lineEnd
                    while valueStart < valueEnd, bytes[valueStart] == 32 || bytes[valueStart] == 9 { valueStart += 1 }
                    while valueEnd > valueStart, bytes[valueEnd - 1] == 13 || bytes[valueEnd - 1] == 32 { valueEnd -= 1 }
                    let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
                    if equalsIgnoringCase(name, "content-length") {
                        var length = 0
                        for byte in value {
                            guard (48...57).contains(byte) else { throw ParseError(reason: "bad content-length") }
                            length = length * 10 + Int(byte - 48)
                        }
                        if case .chunked = framing {} else { framing = .length(length) }
                    } else if equalsIgnoringCase(name, "transfer-encoding") {
                        if containsIgnoringCase(value, "chunked") { framing = .chunked }
                    } else if equalsIgnoringCase(name, "connection") {
                        if containsIgnoringCase(value, "close") { close = true }
                        if containsIgnoringCase(value, "keep-alive") { close = false }
                    }
                }
                lineStart = lineEnd + 1
            }
            if case .close = framing { close = true }
            return (Response(status: status, close: close, body: nil), framing)
        }
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] | 0x20 { return false }
        return true
    }

    private static func containsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        let length = lowercase.utf8CodeUnitCount
        guard bytes.count >= length else { return false }
        let expected = lowercase.utf8Start
        outer: for start in 0...(bytes.count - length) {
            for index in 0..<length where bytes[start + index] | 0x20 != expected[index] | 0x20 { continue outer }
            return true
        }
        return false
    }
}
