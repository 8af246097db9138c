/// How a `Broadcaster` paces presence and bounds each connection's queue.
public struct BroadcasterConfiguration: Sendable {
    /// How often an instance tells the others it is alive. Default 2 s.
    public var heartbeatInterval: Duration = .seconds(2)
    /// How long an instance may stay silent before its members leave every
    /// room's presence: a dead instance's members are gone within this. Default 6 s.
    public var presenceTimeout: Duration = .seconds(6)
    /// Messages a connection may have waiting to be sent; one more and it is
    /// closed as too slow, so it never holds up a room. Default 1,024.
    public var sendQueueLimit: Int = 1024
    /// Members per presence snapshot message, so one stays under the worker bus's payload limit. Default 200.
    public var snapshotChunk: Int = 200

    public init() {}
}
