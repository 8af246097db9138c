import NIOCore

/// A Redis command, its arguments already encoded as RESP bulk strings.
///
/// Build one with `RedisCommand("GET", key)` or with the static builders
/// (`.get(key)`, `.set(key, value)`), then send it through a `RedisClient`
/// or `RedisConnection`.
public struct RedisCommand: Sendable {
    /// The encoded bulk strings, without the array header.
    @usableFromInline var arguments: ByteBuffer
    /// How many bulk strings `arguments` holds.
    @usableFromInline var count: Int

    /// Starts a command with its name and no arguments.
    @inlinable
    public init(_ name: String, capacity: Int = 64) {
        arguments = ByteBufferAllocator().buffer(capacity: capacity)
        count = 0
        appendBulk(name)
    }

    /// Creates a command from its name and arguments.
    @inlinable
    public init<each Argument: RESPArgument>(_ name: String, _ argument: repeat each Argument) {
        self.init(name)
        for argument in repeat each argument {
            argument.encode(into: &self)
        }
    }

    /// Appends an argument (an array appends each of its elements).
    @inlinable
    public mutating func append(_ argument: some RESPArgument) {
        argument.encode(into: &self)
    }

    /// Appends one bulk string holding the UTF-8 of `text`.
    @inlinable
    public mutating func appendBulk(_ text: String) {
        arguments.writeInteger(UInt8(ascii: "$"))
        arguments.writeDecimal(text.utf8.count)
        arguments.writeInteger(UInt16(0x0D0A))
        arguments.writeString(text)
        arguments.writeInteger(UInt16(0x0D0A))
        count += 1
    }

    /// Appends one bulk string holding the readable bytes of `bytes`.
    @inlinable
    public mutating func appendBulk(_ bytes: ByteBuffer) {
        arguments.writeInteger(UInt8(ascii: "$"))
        arguments.writeDecimal(bytes.readableBytes)
        arguments.writeInteger(UInt16(0x0D0A))
        arguments.writeImmutableBuffer(bytes)
        arguments.writeInteger(UInt16(0x0D0A))
        count += 1
    }

    /// Writes the complete command, array header included, to `buffer`.
    @inlinable
    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        buffer.writeDecimal(count)
        buffer.writeInteger(UInt16(0x0D0A))
        buffer.writeImmutableBuffer(arguments)
    }
}

extension ByteBuffer {
    /// Writes a non-negative integer in decimal without going through a String.
    @inlinable
    package mutating func writeDecimal(_ value: Int) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        writeWithUnsafeMutableBytes(minimumWritableBytes: digits) { pointer in
            var value = value
            var index = digits - 1
            while index >= 0 {
                pointer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
                index -= 1
            }
            return digits
        }
    }
}
