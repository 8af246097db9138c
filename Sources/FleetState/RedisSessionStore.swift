import FleetRedis
import NIOCore

/// Sessions in Redis, for every worker of every machine: one hash per session
/// (`prefix + id`) that expires with it, and one set per user (`prefix + "user:" + id`)
/// listing that user's sessions, so "log out everywhere" reads one key instead of scanning.
///
/// Every change that spans keys or must not recreate a deleted session is a
/// Lua script, which Redis runs atomically. The scripts build the keys they
/// derive from the prefix, so they need a single Redis, not a cluster.
public struct RedisSessionStore: SessionStore {
    /// Hash fields holding the session's own data; application fields are stored as `f:name`.
    enum Field {
        static let user = "_uid"
        static let created = "_created"
        static let idle = "_idle"
        static let absolute = "_abs"
        static let prefix = "f:"
    }

    let redis: any RedisCommandExecutor
    /// Put before every key this store writes.
    public let prefix: String

    /// - Parameters:
    ///   - redis: a running `RedisClient` (or a connection).
    ///   - prefix: put before every key. Default `fleet:session:`.
    public init(redis: any RedisCommandExecutor, prefix: String = "fleet:session:") {
        self.redis = redis
        self.prefix = prefix
    }

    func key(_ id: SessionID) -> String { prefix + id.rawValue }
    func userKey(_ userID: String) -> String { prefix + "user:" + userID }

    public func create(_ record: SessionRecord, now: Int64) async throws {
        var keys = [key(record.id)]
        if let user = record.userID { keys.append(userKey(user)) }
        var arguments = [
            record.id.rawValue, String(max(1, record.expiresAt - now)), String(max(1, record.absoluteExpiresAt - now)),
            Field.created, String(record.createdAt), Field.idle, String(record.idleExpiresAt), Field.absolute, String(record.absoluteExpiresAt),
        ]
        if let user = record.userID { arguments += [Field.user, user] }
        for (name, value) in record.fields { arguments += [Field.prefix + name, value] }
        _ = try await redis.run(Self.createScript, keys: keys, arguments: arguments)
    }

    public func load(_ id: SessionID) async throws -> SessionRecord? {
        let hash = try await redis.hgetall(key(id))
        guard let created = hash[Field.created].flatMap({ Int64(String(buffer: $0)) }),
            let idle = hash[Field.idle].flatMap({ Int64(String(buffer: $0)) }),
            let absolute = hash[Field.absolute].flatMap({ Int64(String(buffer: $0)) })
        else { return nil }
        var fields: [String: String] = [:]
        for (name, value) in hash where name.hasPrefix(Field.prefix) {
            fields[String(name.dropFirst(Field.prefix.count))] = String(buffer: value)
        }
        return SessionRecord(
            id: id, userID: hash[Field.user].map { String(buffer: $0) }, fields: fields,
            createdAt: created, idleExpiresAt: idle, absoluteExpiresAt: absolute
        )
    }

    public func update(_ id: SessionID, set: [String: String], remove: [String]) async throws -> Bool {
        var arguments = [String(set.count)]
        for (name, value) in set { arguments += [Field.prefix + name, value] }
        arguments += remove.map { Field.prefix + $0 }
        return try await redis.run(Self.updateScript, keys: [key(id)], arguments: arguments).int == 1
    }

    public func touch(_ id: SessionID, idleExpiresAt: Int64, now: Int64) async throws {
        _ = try await redis.run(Self.touchScript, keys: [key(id)], arguments: [String(idleExpiresAt), String(now)])
    }

    public func destroy(_ id: SessionID) async throws {
        _ = try await redis.run(Self.destroyScript, keys: [key(id)], arguments: [prefix + "user:", id.rawValue])
    }

    public func destroyAll(userID: String) async throws -> Int {
        try await redis.run(Self.destroyAllScript, keys: [userKey(userID)], arguments: [prefix]).int ?? 0
    }
}

extension RedisSessionStore {
    /// KEYS: session, [user set]; ARGV: id, session TTL ms, user set TTL ms, field/value pairs.
    /// The user set lives as long as its longest-lived session.
    static let createScript = RedisScript(
        """
        redis.call('HSET', KEYS[1], unpack(ARGV, 4))
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        if #KEYS > 1 then
          redis.call('SADD', KEYS[2], ARGV[1])
          if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
        end
        return 1
        """
    )

    /// KEYS: session; ARGV: count of pairs to set, the pairs, then fields to delete.
    /// A session that is gone stays gone: HSET alone would recreate it without a TTL.
    static let updateScript = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local count = tonumber(ARGV[1])
        if count > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 2, 1 + 2 * count)) end
        if #ARGV > 1 + 2 * count then redis.call('HDEL', KEYS[1], unpack(ARGV, 2 + 2 * count)) end
        return 1
        """
    )

    /// KEYS: session; ARGV: new idle deadline, now (both ms since the epoch).
    /// Only ever moves the deadline later, and keeps the TTL at the earlier deadline.
    static let touchScript = RedisScript(
        """
        local deadlines = redis.call('HMGET', KEYS[1], '_idle', '_abs')
        if not deadlines[2] then return 0 end
        local idle = tonumber(ARGV[1])
        if tonumber(deadlines[1]) >= idle then return 0 end
        redis.call('HSET', KEYS[1], '_idle', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(1, math.min(idle, tonumber(deadlines[2])) - tonumber(ARGV[2]))))
        return 1
        """
    )

    /// KEYS: session; ARGV: user set prefix, id. Removes it from its user's index too.
    static let destroyScript = RedisScript(
        """
        local user = redis.call('HGET', KEYS[1], '_uid')
        redis.call('DEL', KEYS[1])
        if user then redis.call('SREM', ARGV[1] .. user, ARGV[2]) end
        return 1
        """
    )

    /// KEYS: user set; ARGV: session key prefix. Returns how many live sessions ended.
    static let destroyAllScript = RedisScript(
        """
        local ended = 0
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          ended = ended + redis.call('DEL', ARGV[1] .. id)
        end
        redis.call('DEL', KEYS[1])
        return ended
        """
    )
}
