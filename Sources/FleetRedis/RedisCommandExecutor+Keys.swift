import NIOCore

extension RedisCommandExecutor {
    /// `DEL key...`: how many keys were removed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await integer(RedisCommand("DEL", keys))
    }

    /// `UNLINK key...`: like DEL, reclaiming memory in the background.
    @discardableResult
    public func unlink(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await integer(RedisCommand("UNLINK", keys))
    }

    /// `EXISTS key...`: how many of the keys exist.
    public func exists(_ keys: [String]) async throws -> Int {
        try await integer(RedisCommand("EXISTS", keys))
    }

    /// `EXPIRE key seconds`: false when the key does not exist.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await integer(RedisCommand("EXPIRE", key, seconds)) == 1
    }

    /// `PEXPIRE key milliseconds`: false when the key does not exist.
    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int) async throws -> Bool {
        try await integer(RedisCommand("PEXPIRE", key, milliseconds)) == 1
    }

    /// `TTL key`: seconds to live, -1 without expiry, -2 when the key does not exist.
    public func ttl(_ key: String) async throws -> Int {
        try await integer(RedisCommand("TTL", key))
    }

    /// `PTTL key`: milliseconds to live, -1 without expiry, -2 when the key does not exist.
    public func pttl(_ key: String) async throws -> Int {
        try await integer(RedisCommand("PTTL", key))
    }

    /// `SCAN` over the whole keyspace as an async sequence of keys.
    /// - Parameters:
    ///   - match: a glob pattern keys must match (`MATCH`), or nil for all keys.
    ///   - count: how many keys the server should look at per call (`COUNT`).
    public func scan(match: String? = nil, count: Int? = nil) -> RedisScanSequence {
        RedisScanSequence(executor: self, match: match, count: count)
    }

    /// `TIME`: the server's clock.
    public func time() async throws -> Duration {
        let reply = try await execute(RedisCommand("TIME"))
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw RedisError(.unexpectedReply, "TIME: \(reply)")
        }
        return .seconds(seconds) + .microseconds(micros)
    }

    /// `PUBLISH channel message`: how many subscribers received it.
    @discardableResult
    public func publish(_ message: some RESPArgument, to channel: String) async throws -> Int {
        try await integer(RedisCommand("PUBLISH", channel, message))
    }

    /// `SPUBLISH shardchannel message` (Redis 7): how many subscribers received it.
    @discardableResult
    public func spublish(_ message: some RESPArgument, to channel: String) async throws -> Int {
        try await integer(RedisCommand("SPUBLISH", channel, message))
    }

    /// `PING`: round trip to the server.
    public func ping() async throws {
        _ = try await execute(RedisCommand("PING"))
    }
}
