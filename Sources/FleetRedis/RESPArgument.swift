import NIOCore

/// A value that can be sent as one or more arguments of a Redis command.
public protocol RESPArgument {
    /// Appends this value to the command as bulk string arguments.
    func encode(into command: inout RedisCommand)
}

extension String: RESPArgument {
    @inlinable
    public func encode(into command: inout RedisCommand) {
        command.appendBulk(self)
    }
}

extension Substring: RESPArgument {
    @inlinable
    public func encode(into command: inout RedisCommand) {
        command.appendBulk(String(self))
    }
}

extension ByteBuffer: RESPArgument {
    @inlinable
    public func encode(into command: inout RedisCommand) {
        command.appendBulk(self)
    }
}

extension Array: RESPArgument where Element: RESPArgument {
    /// Each element becomes its own argument.
    @inlinable
    public func encode(into command: inout RedisCommand) {
        for element in self { element.encode(into: &command) }
    }
}

extension Int: RESPArgument {
    @inlinable
    public func encode(into command: inout RedisCommand) {
        command.appendBulk(String(self))
    }
}

extension Int64: RESPArgument {
    @inlinable
    public func encode(into command: inout RedisCommand) {
        command.appendBulk(String(self))
    }
}

extension Double: RESPArgument {
    /// Infinities as `+inf` and `-inf`, which score ranges accept.
    @inlinable
    public func encode(into command: inout RedisCommand) {
        if self == .infinity {
            command.appendBulk("+inf")
        } else if self == -.infinity {
            command.appendBulk("-inf")
        } else {
            command.appendBulk(String(self))
        }
    }
}
