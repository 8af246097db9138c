/// How a `Broadcaster` reaches the other instances of a service: Redis
/// pub/sub across machines, the supervisor's worker bus on one machine, or
/// nothing but this process.
///
/// Delivery is at most once on every backend: a message published while an
/// instance is disconnected is lost to it, never replayed.
public protocol BroadcastBackend: Sendable {
    /// Sends `payload` to every other instance; this instance may receive it back.
    func publish(_ payload: String) async throws
    /// Delivers what other instances publish until the task is cancelled,
    /// reconnecting as needed; `onGap` is called when messages may have been lost.
    func run(deliver: @escaping @Sendable (String) -> Void, onGap: @escaping @Sendable () -> Void) async throws
}
