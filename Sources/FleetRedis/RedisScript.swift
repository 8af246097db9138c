import NIOCore

/// A Lua script, run by its SHA-1 so the source crosses the network only
/// when the server does not have it cached yet.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA-1 of the source, as `SCRIPT LOAD` returns it.
    public let sha1: String

    /// Creates a script; the digest is computed locally.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(source.utf8)
    }
}

extension RedisCommandExecutor {
    /// Runs a script with `EVALSHA`; on `NOSCRIPT` (server restarted, `SCRIPT FLUSH`)
    /// runs it with `EVAL`, which caches it again.
    /// - Parameters:
    ///   - script: the script.
    ///   - keys: the keys it touches, as `KEYS[1...]`.
    ///   - arguments: the other arguments, as `ARGV[1...]`.
    public func run(_ script: RedisScript, keys: [String] = [], arguments: [String] = []) async throws -> RESPValue {
        try await runScript(script, keys: keys, arguments: arguments)
    }

    /// Runs a script whose arguments are bytes, such as values that need not be UTF-8.
    /// - Parameters:
    ///   - script: the script.
    ///   - keys: the keys it touches, as `KEYS[1...]`.
    ///   - arguments: the other arguments, as `ARGV[1...]`.
    public func run(_ script: RedisScript, keys: [String] = [], arguments: [ByteBuffer]) async throws -> RESPValue {
        try await runScript(script, keys: keys, arguments: arguments)
    }

    private func runScript(_ script: RedisScript, keys: [String], arguments: some RESPArgument) async throws -> RESPValue {
        do {
            return try await execute(RedisCommand("EVALSHA", script.sha1, keys.count, keys, arguments))
        } catch let error as RedisError where error.code == .noScript {
            return try await execute(RedisCommand("EVAL", script.source, keys.count, keys, arguments))
        }
    }
}
