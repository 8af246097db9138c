import NIOCore

/// An incremental RESP3/RESP2 parser.
///
/// Feed it the bytes received so far; it returns each complete value and
/// keeps partial aggregates between calls, so a reply split at any byte
/// boundary parses the same and no byte is scanned twice except an
/// incomplete line or bulk header.
public struct RESPParser: Sendable {
    private enum FrameKind: Sendable {
        case array, set, push, map, attribute
        case attributed([(key: RESPValue, value: RESPValue)])
        case streamedString

        var isPaired: Bool {
            switch self {
            case .map, .attribute: return true
            default: return false
            }
        }

        var isStreamable: Bool {
            switch self {
            case .array, .set, .map: return true
            default: return false
            }
        }
    }

    private static func aggregateKind(_ type: UInt8) -> FrameKind {
        switch type {
        case UInt8(ascii: "~"): return .set
        case UInt8(ascii: ">"): return .push
        case UInt8(ascii: "%"): return .map
        case UInt8(ascii: "|"): return .attribute
        default: return .array
        }
    }

    private struct Frame: Sendable {
        var kind: FrameKind
        /// Elements still expected, or -1 for a streamed aggregate ended by `.`.
        var remaining: Int
        var elements: [RESPValue] = []
        var chunks = ByteBuffer()
    }

    let configuration: RESPParserConfiguration
    private var stack: [Frame] = []

    /// Creates a parser with the given limits.
    public init(configuration: RESPParserConfiguration = .init()) {
        self.configuration = configuration
    }

    /// Parses the next complete value from the front of `buffer`, or returns nil
    /// when more bytes are needed. Consumed bytes are read from the buffer.
    /// - Throws: `RedisError` with code `.protocolError` on malformed input.
    public mutating func next(_ buffer: inout ByteBuffer) throws(RedisError) -> RESPValue? {
        while true {
            guard let token = try readToken(&buffer) else { return nil }
            var value: RESPValue
            switch token {
            case .value(let v):
                value = v
            case .begin(let kind, let count):
                guard stack.count < configuration.maximumDepth else {
                    throw Self.error("nesting deeper than \(configuration.maximumDepth)")
                }
                let expected = count < 0 ? -1 : (kind.isPaired ? count * 2 : count)
                if expected == 0 {
                    if case .attribute = kind {
                        stack.append(Frame(kind: .attributed([]), remaining: 1))
                        continue
                    }
                    value = Self.build(kind, [])
                } else {
                    var frame = Frame(kind: kind, remaining: expected)
                    if expected > 0 { frame.elements.reserveCapacity(min(expected, 1024)) }
                    stack.append(frame)
                    continue
                }
            case .end:
                guard let top = stack.last, top.remaining == -1 else { throw Self.error("unexpected end marker") }
                guard !top.kind.isPaired || top.elements.count % 2 == 0 else { throw Self.error("odd streamed map") }
                stack.removeLast()
                value = Self.build(top.kind, top.elements)
            case .chunk(var chunk):
                let total = stack[stack.count - 1].chunks.readableBytes + chunk.readableBytes
                guard total <= configuration.maximumBulkLength else { throw Self.error("streamed string too long") }
                stack[stack.count - 1].chunks.writeBuffer(&chunk)
                continue
            case .chunkEnd:
                value = .bulkString(stack.removeLast().chunks)
            }
            if let complete = complete(with: value) { return complete }
        }
    }

    /// Adds a value to the innermost aggregate, closing every aggregate it completes.
    /// Returns the top-level value once one is complete.
    private mutating func complete(with value: RESPValue) -> RESPValue? {
        var value = value
        while !stack.isEmpty {
            let last = stack.count - 1
            stack[last].elements.append(value)
            guard stack[last].remaining > 0 else { return nil }
            stack[last].remaining -= 1
            guard stack[last].remaining == 0 else { return nil }
            let frame = stack.removeLast()
            if case .attribute = frame.kind {
                // Attributes describe the value that follows them.
                stack.append(Frame(kind: .attributed(Self.pairs(frame.elements)), remaining: 1))
                return nil
            }
            value = Self.build(frame.kind, frame.elements)
        }
        return value
    }

    private static func build(_ kind: FrameKind, _ elements: [RESPValue]) -> RESPValue {
        switch kind {
        case .array: return .array(elements)
        case .set: return .set(elements)
        case .push: return .push(elements)
        case .map, .attribute: return .map(pairs(elements))
        case .attributed(let attributes): return .attribute(attributes, elements[0])
        case .streamedString: return .bulkString(ByteBuffer())
        }
    }

    private static func pairs(_ elements: [RESPValue]) -> [(key: RESPValue, value: RESPValue)] {
        stride(from: 0, to: elements.count, by: 2).map { (key: elements[$0], value: elements[$0 + 1]) }
    }

    static func error(_ message: String) -> RedisError {
        RedisError(.protocolError, message)
    }
}

extension RESPParser {
    private enum Token {
        case value(RESPValue)
        case begin(FrameKind, Int)
        case end
        case chunk(ByteBuffer)
        case chunkEnd
    }

    /// Reads one token, consuming its bytes only when it is complete.
    private mutating func readToken(_ buffer: inout ByteBuffer) throws(RedisError) -> Token? {
        let start = buffer.readerIndex
        guard let type = buffer.getInteger(at: start, as: UInt8.self) else { return nil }
        let inStreamedString: Bool
        if case .streamedString = stack.last?.kind { inStreamedString = true } else { inStreamedString = false }
        guard inStreamedString == (type == UInt8(ascii: ";")) else {
            throw Self.error(inStreamedString ? "expected a string chunk" : "unexpected string chunk")
        }
        guard let lineEnd = try findLineEnd(buffer, from: start + 1) else { return nil }
        let lineStart = start + 1
        let lineLength = lineEnd - lineStart
        let next = lineEnd + 2

        switch type {
        case UInt8(ascii: "+"):
            let text = buffer.getSlice(at: lineStart, length: lineLength)!
            buffer.moveReaderIndex(to: next)
            return .value(.simpleString(text))
        case UInt8(ascii: "-"):
            let text = buffer.getSlice(at: lineStart, length: lineLength)!
            buffer.moveReaderIndex(to: next)
            return .value(.error(text))
        case UInt8(ascii: ":"):
            let value = try Self.parseInteger(buffer, at: lineStart, length: lineLength)
            buffer.moveReaderIndex(to: next)
            return .value(.integer(value))
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            if type == UInt8(ascii: "$"), lineLength == 1, buffer.getInteger(at: lineStart, as: UInt8.self) == UInt8(ascii: "?") {
                guard stack.count < configuration.maximumDepth else { throw Self.error("nesting too deep") }
                buffer.moveReaderIndex(to: next)
                stack.append(Frame(kind: .streamedString, remaining: -1))
                return try readToken(&buffer)
            }
            let length = try Self.parseInteger(buffer, at: lineStart, length: lineLength)
            if length == -1, type == UInt8(ascii: "$") {
                buffer.moveReaderIndex(to: next)
                return .value(.null)
            }
            guard let payload = try readPayload(&buffer, length: length, at: next) else { return nil }
            return .value(try Self.blob(type, payload))
        case UInt8(ascii: ";"):
            let length = try Self.parseInteger(buffer, at: lineStart, length: lineLength)
            if length == 0 {
                buffer.moveReaderIndex(to: next)
                return .chunkEnd
            }
            guard let payload = try readPayload(&buffer, length: length, at: next) else { return nil }
            return .chunk(payload)
        case UInt8(ascii: ","):
            let text = String(decoding: buffer.viewBytes(at: lineStart, length: lineLength)!, as: UTF8.self)
            guard let value = Self.parseDouble(text) else { throw Self.error("bad double \(text.prefix(32))") }
            buffer.moveReaderIndex(to: next)
            return .value(.double(value))
        case UInt8(ascii: "#"):
            guard lineLength == 1, let flag = buffer.getInteger(at: lineStart, as: UInt8.self),
                flag == UInt8(ascii: "t") || flag == UInt8(ascii: "f")
            else { throw Self.error("bad boolean") }
            buffer.moveReaderIndex(to: next)
            return .value(.boolean(flag == UInt8(ascii: "t")))
        case UInt8(ascii: "_"):
            guard lineLength == 0 else { throw Self.error("bad null") }
            buffer.moveReaderIndex(to: next)
            return .value(.null)
        case UInt8(ascii: "("):
            let digits = buffer.getSlice(at: lineStart, length: lineLength)!
            guard Self.isBigNumber(digits) else { throw Self.error("bad big number") }
            buffer.moveReaderIndex(to: next)
            return .value(.bigNumber(digits))
        case UInt8(ascii: "."):
            guard lineLength == 0 else { throw Self.error("bad end marker") }
            buffer.moveReaderIndex(to: next)
            return .end
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            let kind = Self.aggregateKind(type)
            if lineLength == 1, buffer.getInteger(at: lineStart, as: UInt8.self) == UInt8(ascii: "?") {
                guard kind.isStreamable else { throw Self.error("streamed attribute or push") }
                buffer.moveReaderIndex(to: next)
                return .begin(kind, -1)
            }
            let count = try Self.parseInteger(buffer, at: lineStart, length: lineLength)
            buffer.moveReaderIndex(to: next)
            if count == -1, type == UInt8(ascii: "*") { return .value(.null) }
            guard count >= 0, count <= configuration.maximumAggregateCount else {
                throw Self.error("aggregate count \(count) out of range")
            }
            return .begin(kind, Int(count))
        default:
            throw Self.error("unknown type byte \(type)")
        }
    }
}
