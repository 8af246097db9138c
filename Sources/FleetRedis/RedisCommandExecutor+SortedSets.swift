import NIOCore

/// A sorted set member with its score.
public struct RedisScoredMember: Sendable, Equatable {
    /// The member.
    public var member: ByteBuffer
    /// Its score.
    public var score: Double

    /// Creates a scored member.
    public init(member: ByteBuffer, score: Double) {
        self.member = member
        self.score = score
    }
}

extension RedisCommandExecutor {
    /// `ZADD key score member ...`: how many members were added.
    @discardableResult
    public func zadd(_ key: String, members: [(score: Double, member: String)]) async throws -> Int {
        var command = RedisCommand("ZADD", key)
        for (score, member) in members {
            command.append(score)
            command.append(member)
        }
        return try await integer(command)
    }

    /// `ZREM key member...`: how many members were removed.
    @discardableResult
    public func zrem(_ key: String, members: [String]) async throws -> Int {
        try await integer(RedisCommand("ZREM", key, members))
    }

    /// `ZCARD key`: how many members the set holds.
    public func zcard(_ key: String) async throws -> Int {
        try await integer(RedisCommand("ZCARD", key))
    }

    /// `ZRANGE key start stop`: members by rank, inclusive; negative ranks count from the end.
    public func zrange(_ key: String, start: Int, stop: Int) async throws -> [ByteBuffer] {
        try await members(RedisCommand("ZRANGE", key, start, stop))
    }

    /// `ZRANGE key start stop WITHSCORES`.
    public func zrangeWithScores(_ key: String, start: Int, stop: Int) async throws -> [RedisScoredMember] {
        try await scored(RedisCommand("ZRANGE", key, start, stop, "WITHSCORES"))
    }

    /// `ZRANGEBYSCORE key min max [LIMIT offset count]`: members with scores in `min...max`.
    public func zrangeByScore(
        _ key: String, min: Double, max: Double, limit: (offset: Int, count: Int)? = nil
    ) async throws -> [ByteBuffer] {
        var command = RedisCommand("ZRANGEBYSCORE", key, min, max)
        if let limit { command.append(["LIMIT", String(limit.offset), String(limit.count)]) }
        return try await members(command)
    }

    /// `ZRANGEBYSCORE key min max WITHSCORES [LIMIT offset count]`.
    public func zrangeByScoreWithScores(
        _ key: String, min: Double, max: Double, limit: (offset: Int, count: Int)? = nil
    ) async throws -> [RedisScoredMember] {
        var command = RedisCommand("ZRANGEBYSCORE", key, min, max, "WITHSCORES")
        if let limit { command.append(["LIMIT", String(limit.offset), String(limit.count)]) }
        return try await scored(command)
    }

    /// `ZREMRANGEBYSCORE key min max`: how many members were removed.
    @discardableResult
    public func zremRangeByScore(_ key: String, min: Double, max: Double) async throws -> Int {
        try await integer(RedisCommand("ZREMRANGEBYSCORE", key, min, max))
    }

    private func members(_ command: RedisCommand) async throws -> [ByteBuffer] {
        let reply = try await execute(command)
        guard let values = reply.array else { throw RedisError(.unexpectedReply, "\(reply)") }
        return values.compactMap(\.buffer)
    }

    /// RESP2 replies member, score, member, score; RESP3 replies pairs [member, score].
    private func scored(_ command: RedisCommand) async throws -> [RedisScoredMember] {
        let reply = try await execute(command)
        guard let values = reply.array else { throw RedisError(.unexpectedReply, "\(reply)") }
        var result: [RedisScoredMember] = []
        result.reserveCapacity(values.count)
        if values.first?.array != nil {
            for pair in values {
                guard let p = pair.array, p.count == 2, let member = p[0].buffer, let score = p[1].double else {
                    throw RedisError(.unexpectedReply, "\(reply)")
                }
                result.append(RedisScoredMember(member: member, score: score))
            }
        } else {
            guard values.count % 2 == 0 else { throw RedisError(.unexpectedReply, "\(reply)") }
            for index in stride(from: 0, to: values.count, by: 2) {
                guard let member = values[index].buffer, let score = values[index + 1].double else {
                    throw RedisError(.unexpectedReply, "\(reply)")
                }
                result.append(RedisScoredMember(member: member, score: score))
            }
        }
        return result
    }
}
