import NIOConcurrencyHelpers

/// The error of an operation that did not finish before its deadline.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public let timeout: Duration
    public var description: String { "no answer within \(self.timeout)" }
}

/// Runs `operation`, giving up after `timeout` without waiting for it to notice.
///
/// A task group would wait for a hung call (a database connect that blocks for
/// its own timeout, a query queued in PgBouncer) before returning; a health
/// check or a request must answer on time, so the operation runs unstructured
/// and is cancelled when the deadline wins. The timer is cancelled as soon as
/// the operation finishes, so no sleeping task outlives a fast call.
public func withDeadline<T: Sendable>(
    _ timeout: Duration,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let pending = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
    let finish: @Sendable (Result<T, any Error>) -> Bool = { result in
        guard let continuation = pending.withLockedValue({ value in defer { value = nil }; return value }) else { return false }
        continuation.resume(with: result)
        return true
    }
    let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return try await withCheckedThrowingContinuation { continuation in
        pending.withLockedValue { $0 = continuation }
        let work = Task {
            do { _ = finish(.success(try await operation())) } catch { _ = finish(.failure(error)) }
            timer.withLockedValue { $0?.cancel() }
        }
        timer.withLockedValue { timer in
            timer = Task {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                if finish(.failure(DeadlineExceeded(timeout: timeout))) { work.cancel() }
            }
        }
    }
}
