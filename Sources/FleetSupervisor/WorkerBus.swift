#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Worker-to-worker messages through the supervisor: what one worker
/// publishes, every other ready worker of the fleet receives (the embedded
/// pub/sub of one machine, as @socket.io/cluster-adapter does over Node's IPC).
///
/// Delivery is at most once, like Redis pub/sub: a worker that is starting,
/// or too slow to read for a second, misses messages.
public final class WorkerBus: Sendable {
    /// One message on one channel.
    public struct Message: Codable, Sendable, Equatable {
        public var channel: String
        public var payload: String

        public init(channel: String, payload: String) {
            self.channel = channel
            self.payload = payload
        }
    }

    /// The bus of this process, when a supervisor started it (`FLEET_IPC_FD`).
    public static let current: WorkerBus? = SupervisorLink.descriptor(environment: ProcessInfo.processInfo.environment).map(WorkerBus.init)

    /// The largest payload a message may carry.
    public static let maxPayload = 60 << 10

    private let descriptor: Int32
    private let writeLock = NIOLock()
    private let subscribers = NIOLockedValueBox<[UInt64: AsyncStream<Message>.Continuation]>([:])
    private let nextID = NIOLockedValueBox<UInt64>(0)
    private let reading = NIOLockedValueBox(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Sends `payload` to every other worker's subscribers on `channel`.
    /// - Returns: false when the payload is too large or the link is gone.
    @discardableResult
    public func publish(channel: String, payload: String) -> Bool {
        guard payload.utf8.count <= Self.maxPayload,
            let data = try? JSONEncoder().encode(LinkPublish(channel: channel, payload: payload))
        else { return false }
        let line = String(decoding: data, as: UTF8.self) + "\n"
        return self.writeLock.withLock { SupervisorLink.write(line: line, descriptor: self.descriptor) }
    }

    /// Every message other workers publish from now on, on any channel.
    public func subscribe() -> AsyncStream<Message> {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = self.nextID.withLockedValue { id in
            id += 1
            return id
        }
        self.subscribers.withLockedValue { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLockedValue { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    /// Starts reading the link; call once the hand-over's blocking reads are
    /// done (after `accept`), as those and this would race for the bytes.
    ///
    /// When the link ends, the supervisor is gone (even by SIGKILL: the kernel
    /// closes its end), and this worker drains and exits as on its SIGTERM.
    public func startReading() {
        guard self.reading.withLockedValue({ reading in
            defer { reading = true }
            return !reading
        }) else { return }
        let input = dup(self.descriptor)
        Task {
            await readLines(input) { line in
                guard let message = try? JSONDecoder().decode(LinkPublish.self, from: Data(line.utf8)), message.type == "publish" else { return }
                let delivered = Message(channel: message.channel, payload: message.payload)
                self.subscribers.withLockedValue { subscribers in
                    for continuation in subscribers.values { continuation.yield(delivered) }
                }
            }
            Self.supervisorWentAway()
        }
    }

    /// Ends an orphaned worker gracefully, so it does not hold the port for ever.
    ///
    /// End of file on the link, not `PR_SET_PDEATHSIG`: Linux sends that signal when
    /// the supervisor's spawning *thread* exits (a pool thread may, while the supervisor
    /// lives), it is not on macOS, and it cannot be set through `posix_spawn`. The link's
    /// far end is close-on-exec in the supervisor, so no other process keeps it open.
    /// Log lines to the dead supervisor's pipe then fail with EPIPE: NIO, which read
    /// the link, has set SIGPIPE to be ignored, so they do not cut the drain short.
    private static func supervisorWentAway() {
        kill(getpid(), SIGTERM)
    }

}

/// A `publish` line on the link, in either direction.
struct LinkPublish: Codable {
    var type = "publish"
    var channel: String
    var payload: String
}
