import NIOCore

/// Something that sends commands and returns their replies: a `RedisClient`
/// (pooled) or a `RedisConnection`. The typed commands are built on `execute`.
public protocol RedisCommandExecutor: Sendable {
    /// Sends a command and waits for its reply; server error replies throw `RedisError`.
    func execute(_ command: RedisCommand) async throws -> RESPValue

    /// Sends commands in one write and returns every reply, server errors included as failures.
    func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, RedisError>]
}

extension RedisCommandExecutor {
    /// Sends any command given as its name and arguments, e.g. `send("OBJECT", "ENCODING", key)`.
    @inlinable
    public func send<each Argument: RESPArgument>(_ name: String, _ argument: repeat each Argument) async throws -> RESPValue {
        try await execute(RedisCommand(name, repeat each argument))
    }

    /// Runs commands inside `MULTI` ... `EXEC`, written in one pipeline.
    /// - Returns: the reply of each command; a command the server rejected at run time is a failure.
    /// - Throws: `RedisError` `.transactionAborted` when a watched key changed, or the
    ///   server error when a command was rejected while queueing.
    public func transaction(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, RedisError>] {
        let replies = try await pipeline([RedisCommand("MULTI")] + commands + [RedisCommand("EXEC")])
        for reply in replies.dropLast() {
            if case .failure(let error) = reply { throw error }
        }
        switch replies.last! {
        case .failure(let error):
            throw error
        case .success(let exec):
            guard let results = exec.array else {
                throw RedisError(.transactionAborted, "EXEC returned null: a watched key changed")
            }
            return results.map { value in
                if case .error(let text) = value { return .failure(RedisError(serverReply: String(buffer: text))) }
                return .success(value)
            }
        }
    }

    /// Decodes a reply that must be an integer.
    func integer(_ command: RedisCommand) async throws -> Int {
        let value = try await execute(command)
        guard let int = value.int else { throw RedisError(.unexpectedReply, "expected an integer, got \(value)") }
        return int
    }
}
