import FleetRedis
import NIOCore

/// The cache's L2 in Redis. Each key has a value (with a TTL of its freshness
/// plus the grace period) and a version that every invalidation increments.
/// A loader reads both at once and writes back only if the version has not
/// moved, so a load racing a write cannot put the old value back.
///
/// Keys are `{prefix}{key}` and `{prefix}{key}:v`: the braces keep both in
/// one Redis Cluster slot, as scripts require.
struct CacheRedisLevel: Sendable {
    /// A value read from Redis, with the version it was read under.
    struct Read: Sendable {
        /// The value (nil: a cached "no such value") and when it stops being fresh.
        var stored: (value: ByteBuffer?, freshUntilWall: Int64)?
        /// The version to pass back to `write`.
        var version: ByteBuffer
    }

    let client: RedisClient
    let prefix: String
    var channel: String { self.prefix + "invalidate" }

    func valueKey(_ key: String) -> String { "\(self.prefix){\(key)}" }
    func versionKey(_ key: String) -> String { "\(self.prefix){\(key)}:v" }

    func read(_ key: String) async throws -> Read {
        let reply = try await self.client.mget([self.valueKey(key), self.versionKey(key)])
        let version = reply.count == 2 ? reply[1] ?? ByteBuffer() : ByteBuffer()
        return Read(stored: reply.first.flatMap { $0.flatMap(Self.decode) }, version: version)
    }

    /// Stores `value` for `lifetime` unless `key` was invalidated since `version` was read.
    /// - Returns: false when an invalidation won the race and nothing was written.
    func write(_ key: String, value: ByteBuffer?, freshUntilWall: Int64, lifetime: Duration, version: ByteBuffer) async throws -> Bool {
        let milliseconds = max(1, CacheClock.nanoseconds(lifetime) / 1_000_000)
        let reply = try await self.client.run(
            Self.writeScript,
            keys: [self.valueKey(key), self.versionKey(key)],
            arguments: [version, Self.encode(value, freshUntilWall: freshUntilWall), ByteBuffer(string: String(milliseconds))]
        )
        return reply.int == 1
    }

    /// Bumps the version, deletes the value and tells every instance, in one atomic step.
    func invalidate(_ key: String, message: String, versionLifetime: Duration) async throws {
        let milliseconds = max(1, CacheClock.nanoseconds(versionLifetime) / 1_000_000)
        _ = try await self.client.run(
            Self.invalidateScript,
            keys: [self.valueKey(key), self.versionKey(key)],
            arguments: [self.channel, message, String(milliseconds)]
        )
    }

    static let writeScript = RedisScript(
        """
        if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """
    )

    static let invalidateScript = RedisScript(
        """
        redis.call('INCR', KEYS[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        redis.call('DEL', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return 1
        """
    )

    // A stored value: a kind byte (1 a value, 0 no such value), the wall-clock
    // millisecond its freshness ends, then the value's bytes.
    static func encode(_ value: ByteBuffer?, freshUntilWall: Int64) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(9 + (value?.readableBytes ?? 0))
        buffer.writeInteger(UInt8(value == nil ? 0 : 1))
        buffer.writeInteger(freshUntilWall)
        if let value { buffer.writeImmutableBuffer(value) }
        return buffer
    }

    static func decode(_ stored: ByteBuffer) -> (value: ByteBuffer?, freshUntilWall: Int64)? {
        var stored = stored
        guard let kind = stored.readInteger(as: UInt8.self), kind <= 1, let freshUntilWall = stored.readInteger(as: Int64.self) else {
            return nil
        }
        // Copy: the reply is a slice of a read buffer that an L1 entry must not keep alive.
        return (kind == 1 ? ByteBuffer(bytes: stored.readableBytesView) : nil, freshUntilWall)
    }
}
