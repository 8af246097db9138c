import NIOCore
import Synchronization

/// Commands submitted from any thread, waiting for the event loop to write them.
///
/// Callers append the encoded bytes and the reply sink under one lock, so
/// submission order is write order. The first submission into an empty
/// queue schedules one drain on the event loop; every command submitted
/// before the drain runs goes out in the same write and flush, which is how
/// many concurrent callers on one connection get batched.
final class RedisSubmissionQueue: Sendable {
    enum Outcome {
        /// Queued; the caller must schedule a drain.
        case scheduleDrain
        /// Queued behind a drain already scheduled.
        case queued
        /// Not queued: the connection is closed.
        case rejected(RedisError)
        /// Not queued: the connection is leased and the submission was shared.
        case leased
    }

    struct Pending {
        var sink: RedisReplySink
        var deadline: NIODeadline
    }

    private struct State {
        var bytes: ByteBuffer
        var sinks: [Pending] = []
        var drainScheduled = false
        var leased = false
        var closed: RedisError?
    }

    private let state: Mutex<State>

    init() {
        state = Mutex(State(bytes: ByteBufferAllocator().buffer(capacity: 4096)))
    }

    /// Queues commands with one sink for their replies, or nil sink for commands without a reply.
    func submit(
        _ commands: some Sequence<RedisCommand>,
        sink: RedisReplySink?,
        deadline: NIODeadline,
        exclusive: Bool
    ) -> Outcome {
        state.withLock { state in
            if let closed = state.closed { return .rejected(closed) }
            if state.leased && !exclusive { return .leased }
            for command in commands { command.write(to: &state.bytes) }
            if let sink { state.sinks.append(Pending(sink: sink, deadline: deadline)) }
            guard !state.drainScheduled else { return .queued }
            state.drainScheduled = true
            return .scheduleDrain
        }
    }

    /// Queues one command; the common case, without a sequence to iterate.
    func submit(_ command: RedisCommand, sink: RedisReplySink, deadline: NIODeadline) -> Outcome {
        state.withLock { state in
            if let closed = state.closed { return .rejected(closed) }
            if state.leased { return .leased }
            command.write(to: &state.bytes)
            state.sinks.append(Pending(sink: sink, deadline: deadline))
            guard !state.drainScheduled else { return .queued }
            state.drainScheduled = true
            return .scheduleDrain
        }
    }

    /// Takes everything queued: the bytes to write, and the sinks moved into `inflight`.
    func drain(into inflight: inout CircularBuffer<Pending>) -> ByteBuffer {
        state.withLock { state in
            state.drainScheduled = false
            inflight.append(contentsOf: state.sinks)
            state.sinks.removeAll(keepingCapacity: true)
            let bytes = state.bytes
            state.bytes = ByteBufferAllocator().buffer(capacity: max(4096, bytes.readableBytes))
            return bytes
        }
    }

    /// Marks the queue closed and returns the sinks that never got written.
    func close(_ error: RedisError) -> [Pending] {
        state.withLock { state in
            if state.closed == nil { state.closed = error }
            defer { state.sinks.removeAll() }
            return state.sinks
        }
    }

    /// Reserves the connection for one lessee; shared submissions are rejected until released.
    func setLeased(_ leased: Bool) {
        state.withLock { $0.leased = leased }
    }

    var isClosed: Bool { state.withLock { $0.closed != nil } }
}
