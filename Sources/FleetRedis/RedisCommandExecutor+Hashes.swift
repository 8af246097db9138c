import NIOCore

extension RedisCommandExecutor {
    /// `HGET key field`: the field's value, or nil.
    public func hget(_ key: String, field: String) async throws -> ByteBuffer? {
        try await execute(RedisCommand("HGET", key, field)).buffer
    }

    /// `HSET key field value ...`: how many fields were added (not updated).
    @discardableResult
    public func hset(_ key: String, fields: [(field: String, value: String)]) async throws -> Int {
        var command = RedisCommand("HSET", key)
        for (field, value) in fields {
            command.append(field)
            command.append(value)
        }
        return try await integer(command)
    }

    /// `HDEL key field...`: how many fields were removed.
    @discardableResult
    public func hdel(_ key: String, fields: [String]) async throws -> Int {
        try await integer(RedisCommand("HDEL", key, fields))
    }

    /// `HGETALL key`: every field and value; empty when the key does not exist.
    public func hgetall(_ key: String) async throws -> [String: ByteBuffer] {
        let reply = try await execute(RedisCommand("HGETALL", key))
        guard let pairs = reply.pairs else { throw RedisError(.unexpectedReply, "HGETALL: \(reply)") }
        var result: [String: ByteBuffer] = [:]
        result.reserveCapacity(pairs.count)
        for (field, value) in pairs {
            if let name = field.string, let bytes = value.buffer { result[name] = bytes }
        }
        return result
    }

    /// `HINCRBY key field increment`: the new value.
    @discardableResult
    public func hincrby(_ key: String, field: String, by increment: Int) async throws -> Int {
        try await integer(RedisCommand("HINCRBY", key, field, increment))
    }
}
