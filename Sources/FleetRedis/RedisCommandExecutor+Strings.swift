import NIOCore

/// Expiry for `SET`.
public struct RedisExpiration: Sendable {
    enum Base: Sendable {
        case seconds(Int), milliseconds(Int), keepTTL
    }
    let base: Base
    /// `EX seconds`.
    public static func seconds(_ seconds: Int) -> RedisExpiration { RedisExpiration(base: .seconds(seconds)) }
    /// `PX milliseconds`.
    public static func milliseconds(_ milliseconds: Int) -> RedisExpiration { RedisExpiration(base: .milliseconds(milliseconds)) }
    /// `KEEPTTL`: keep the key's current time to live.
    public static let keepTTL = RedisExpiration(base: .keepTTL)
}

/// Condition for `SET`.
public enum RedisSetCondition: Sendable {
    /// `NX`: only if the key does not exist.
    case ifNotExists
    /// `XX`: only if the key exists.
    case ifExists
}

extension RedisCommand {
    /// `SET key value [NX|XX] [GET] [EX s|PX ms|KEEPTTL]`.
    public static func set(
        _ key: String, _ value: some RESPArgument, expiration: RedisExpiration? = nil,
        condition: RedisSetCondition? = nil, returnOld: Bool = false
    ) -> RedisCommand {
        var command = RedisCommand("SET", key, value)
        switch condition {
        case .ifNotExists: command.append("NX")
        case .ifExists: command.append("XX")
        case nil: break
        }
        if returnOld { command.append("GET") }
        switch expiration?.base {
        case .seconds(let s): command.append("EX"); command.append(s)
        case .milliseconds(let ms): command.append("PX"); command.append(ms)
        case .keepTTL: command.append("KEEPTTL")
        case nil: break
        }
        return command
    }
}

extension RedisCommandExecutor {
    /// `GET key`: the value's bytes, or nil when the key does not exist.
    @inlinable
    public func get(_ key: String) async throws -> ByteBuffer? {
        try await execute(RedisCommand("GET", key)).buffer
    }

    /// `GET key` as UTF-8 text, or nil when the key does not exist.
    public func getString(_ key: String) async throws -> String? {
        try await get(key).map { String(buffer: $0) }
    }

    /// `SET key value` with options. Returns false when NX/XX prevented the write.
    @discardableResult
    public func set(
        _ key: String, to value: some RESPArgument, expiration: RedisExpiration? = nil,
        condition: RedisSetCondition? = nil
    ) async throws -> Bool {
        !(try await execute(.set(key, value, expiration: expiration, condition: condition)).isNull)
    }

    /// `SET key value GET ...`: writes and returns the previous value.
    public func setAndGet(
        _ key: String, to value: some RESPArgument, expiration: RedisExpiration? = nil,
        condition: RedisSetCondition? = nil
    ) async throws -> ByteBuffer? {
        try await execute(.set(key, value, expiration: expiration, condition: condition, returnOld: true)).buffer
    }

    /// `INCRBY key increment`: the new value.
    @discardableResult
    public func incrementBy(_ key: String, _ increment: Int = 1) async throws -> Int {
        try await integer(RedisCommand("INCRBY", key, increment))
    }

    /// `MGET key...`: one optional value per key.
    public func mget(_ keys: [String]) async throws -> [ByteBuffer?] {
        guard !keys.isEmpty else { return [] }
        let reply = try await execute(RedisCommand("MGET", keys))
        guard let values = reply.array else { throw RedisError(.unexpectedReply, "MGET: \(reply)") }
        return values.map(\.buffer)
    }
}
