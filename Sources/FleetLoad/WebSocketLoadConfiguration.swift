import Foundation
import NIOCore

/// A WebSocket fan-out test: `connections` sockets spread over `rooms`, the first
/// `sendersPerRoom` of each room sending timestamped messages at `rate` for `duration`,
/// every socket measuring what reaches it.
///
/// A message goes out as `{"text":"wsl-<monotonic ns>"}`; any text frame that comes
/// back carrying `wsl-<digits>` is a delivery, its latency measured against the same
/// machine's monotonic clock from the send's intended time. This matches the demo's
/// `/chat/:room`, which broadcasts a member's `{"text": ...}` to the whole room.
public struct WebSocketLoadConfiguration: Sendable {
    /// Where to connect: a `ws://` URL; `{room}` in its path is replaced by each connection's room.
    public var target: Target
    /// Sockets to open. Default 100.
    public var connections: Int
    /// Rooms the sockets are spread over, round robin. Default 1.
    public var rooms: Int
    /// Senders in each room (they receive too). Default 1.
    public var sendersPerRoom: Int
    /// Messages per second from each sender. Default 1.
    public var rate: Double
    /// How long the senders send. Default 10 s.
    public var duration: Duration
    /// The longest the connect phase may take; sockets not open by then count as timeouts. Default 60 s.
    public var connectTimeout: Duration
    /// Handshakes in flight at once across every loop, so the server's accept queue never overflows. Default 256.
    public var connectConcurrency: Int
    /// The pause between the last socket opening and the first send, for joins to reach every instance. Default 1 s.
    public var settle: Duration
    /// The longest wait after the last send for deliveries still under way. Default 5 s.
    public var drainTimeout: Duration
    /// Event loops (threads) running the sockets when no group is given. Default: one per core.
    public var threads: Int
    /// Run on these event loops instead of a group of `threads` made for the run.
    public var eventLoopGroup: (any EventLoopGroup)?
    /// Server processes whose memory, descriptors and CPU to read from `/proc` (Linux) at each phase.
    public var watchedProcesses: [Int32]

    /// Creates a configuration; see each property for its default.
    public init(
        target: Target,
        connections: Int = 100,
        rooms: Int = 1,
        sendersPerRoom: Int = 1,
        rate: Double = 1,
        duration: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(60),
        connectConcurrency: Int = 256,
        settle: Duration = .seconds(1),
        drainTimeout: Duration = .seconds(5),
        threads: Int = System.coreCount,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        watchedProcesses: [Int32] = []
    ) {
        self.target = target
        self.connections = connections
        self.rooms = rooms
        self.sendersPerRoom = sendersPerRoom
        self.rate = rate
        self.duration = duration
        self.connectTimeout = connectTimeout
        self.connectConcurrency = connectConcurrency
        self.settle = settle
        self.drainTimeout = drainTimeout
        self.threads = threads
        self.eventLoopGroup = eventLoopGroup
        self.watchedProcesses = watchedProcesses
    }

    /// Checks every field, naming the first one out of range by its `fleet ws-load` flag without the dashes.
    /// - Throws: `LoadError` with code `invalidArgument`.
    public func validate() throws {
        func fail(_ message: String) -> LoadError { LoadError(.invalidArgument, message) }
        guard connections >= 1 else { throw fail("connections \(connections): must be at least 1") }
        guard rooms >= 1, rooms <= connections else { throw fail("rooms \(rooms): must be 1 to the number of connections (\(connections))") }
        guard rooms == 1 || target.path.contains(Self.roomPlaceholder) else {
            throw fail("rooms \(rooms): the URL's path needs \(Self.roomPlaceholder) to spread connections over rooms")
        }
        guard sendersPerRoom >= 1, sendersPerRoom * rooms <= connections else {
            throw fail("senders \(sendersPerRoom): must be at least 1, and senders × rooms at most the number of connections (\(connections))")
        }
        guard rate > 0, rate.isFinite, rate <= 10_000 else { throw fail("rate \(rate): must be above 0 and at most 10000 messages/s per sender") }
        guard duration > .zero else { throw fail("duration \(duration): must be positive") }
        guard connectTimeout > .zero else { throw fail("connect-timeout \(connectTimeout): must be positive") }
        guard connectConcurrency >= 1 else { throw fail("connect-concurrency \(connectConcurrency): must be at least 1") }
        guard settle >= .zero else { throw fail("settle \(settle): must not be negative") }
        guard drainTimeout >= .zero else { throw fail("drain \(drainTimeout): must not be negative") }
        guard threads >= 1 else { throw fail("threads \(threads): must be at least 1") }
    }

    /// What `{room}` in the path becomes for room `index`.
    public static func roomName(_ index: Int) -> String { "room-\(index)" }

    /// The placeholder in the URL's path that names each connection's room.
    public static let roomPlaceholder = "{room}"

    /// The request path of a connection in room `index`.
    func path(room index: Int) -> String {
        target.path.replacingOccurrences(of: Self.roomPlaceholder, with: Self.roomName(index))
    }
}

extension Target {
    /// Parses `ws://host[:port][/path]`; `wss://` is not supported.
    public init(webSocketURL url: String) throws {
        guard url.hasPrefix("ws://") else {
            throw LoadError(.invalidArgument, "URL '\(url)': expected ws://HOST[:PORT]/PATH (wss:// is not supported: put TLS in front of the service, not in the load path)")
        }
        try self.init(url: "http://" + url.dropFirst("ws://".count))
    }
}
