import NIOCore

/// Where the reply to a submitted command goes.
enum RedisReplySink: Sendable {
    /// One command, one waiting caller.
    case single(UnsafeContinuation<RESPValue, any Error>)
    /// Several commands written together; the caller gets all replies at once.
    case batch(RedisBatchCollector)

    /// Delivers the next reply. Returns true when this sink needs no more replies.
    func deliver(_ value: RESPValue) -> Bool {
        switch self {
        case .single(let continuation):
            if case .error(let text) = value {
                continuation.resume(throwing: RedisError(serverReply: String(buffer: text)))
            } else {
                continuation.resume(returning: value)
            }
            return true
        case .batch(let collector):
            return collector.append(value)
        }
    }

    func fail(_ error: RedisError) {
        switch self {
        case .single(let continuation): continuation.resume(throwing: error)
        case .batch(let collector): collector.fail(error)
        }
    }
}

/// Collects the replies of a pipelined batch.
///
/// Only the connection's event loop touches `results` once the batch is
/// submitted, which is why the unchecked conformance is sound.
final class RedisBatchCollector: @unchecked Sendable {
    private var results: [Result<RESPValue, RedisError>]
    private let expected: Int
    private let continuation: UnsafeContinuation<[Result<RESPValue, RedisError>], any Error>

    init(expected: Int, continuation: UnsafeContinuation<[Result<RESPValue, RedisError>], any Error>) {
        self.expected = expected
        self.continuation = continuation
        results = []
        results.reserveCapacity(expected)
    }

    func append(_ value: RESPValue) -> Bool {
        if case .error(let text) = value {
            results.append(.failure(RedisError(serverReply: String(buffer: text))))
        } else {
            results.append(.success(value))
        }
        guard results.count == expected else { return false }
        continuation.resume(returning: results)
        return true
    }

    func fail(_ error: RedisError) {
        continuation.resume(throwing: error)
    }
}
