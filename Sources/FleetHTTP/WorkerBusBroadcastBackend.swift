import FleetState
import FleetSupervisor

/// Broadcasts between the workers of one machine through the supervisor
/// (`fleet start`): the embedded default, no server needed.
///
/// At most once, like Redis pub/sub: a worker that is starting, or too slow
/// to read its link, misses messages.
public struct WorkerBusBroadcastBackend: BroadcastBackend {
    let bus: WorkerBus
    /// The bus channel the broadcasters share.
    public let channel: String

    /// - Parameters:
    ///   - bus: this worker's bus, `WorkerBus.current`.
    ///   - channel: the channel on the bus. Default `fleet.broadcast`.
    public init(bus: WorkerBus, channel: String = "fleet.broadcast") {
        self.bus = bus
        self.channel = channel
    }

    public func publish(_ payload: String) async throws {
        guard self.bus.publish(channel: self.channel, payload: payload) else {
            throw FleetStateError(.backendUnavailable, "the supervisor link refused a \(payload.utf8.count)-byte broadcast")
        }
    }

    public func run(deliver: @escaping @Sendable (String) -> Void, onGap: @escaping @Sendable () -> Void) async throws {
        for await message in self.bus.subscribe() where message.channel == self.channel {
            deliver(message.payload)
        }
    }
}
