import Synchronization

/// Connects the broadcasters of one process: each `backend()` is one instance.
///
/// For a single process, and for tests that run several instances side by
/// side; never correct across processes.
public final class InProcessBroadcastHub: Sendable {
    private let receivers = Mutex<[UInt64: @Sendable (String) -> Void]>([:])
    private let nextID = Atomic<UInt64>(0)

    public init() {}

    /// A backend that reaches every other backend of this hub.
    public func backend() -> InProcessBroadcastBackend {
        InProcessBroadcastBackend(hub: self, id: self.nextID.add(1, ordering: .relaxed).newValue)
    }

    func publish(_ payload: String, from id: UInt64) {
        let receivers = self.receivers.withLock { $0.filter { $0.key != id }.map(\.value) }
        for receive in receivers { receive(payload) }
    }

    /// Backends whose `run` is receiving.
    var receiving: Int { self.receivers.withLock { $0.count } }

    func register(_ id: UInt64, _ receive: (@Sendable (String) -> Void)?) {
        self.receivers.withLock { $0[id] = receive }
    }
}

/// One instance's side of an `InProcessBroadcastHub`.
public struct InProcessBroadcastBackend: BroadcastBackend {
    let hub: InProcessBroadcastHub
    let id: UInt64

    /// A backend alone in its process: broadcasts reach this instance's connections only.
    public init() {
        self = InProcessBroadcastHub().backend()
    }

    init(hub: InProcessBroadcastHub, id: UInt64) {
        self.hub = hub
        self.id = id
    }

    public func publish(_ payload: String) async throws {
        self.hub.publish(payload, from: self.id)
    }

    public func run(deliver: @escaping @Sendable (String) -> Void, onGap: @escaping @Sendable () -> Void) async throws {
        self.hub.register(self.id, deliver)
        defer { self.hub.register(self.id, nil) }
        // Nothing to read: wait for cancellation.
        let (forever, continuation) = AsyncStream<Never>.makeStream()
        defer { continuation.finish() }
        for await _ in forever {}
    }
}
