/// What a producer enqueues. `name` selects the handler (e.g. "report");
/// the payload is opaque bytes (the demo uses JSON). An idempotency key makes
/// enqueue return the existing job's id instead of making a second job, for as
/// long as the queue's `idempotencyTTL`.
public struct JobRequest: Sendable {
    /// The handler's name; 1 to 200 bytes.
    public var name: String
    /// Opaque bytes handed to the handler; at most the queue's `maxPayloadBytes`.
    public var payload: [UInt8]
    public var priority: JobPriority
    /// How long the job waits before it can be claimed; never claimed earlier.
    public var delay: Duration
    /// Enqueues with the same key return the first job's id; at most 200 bytes.
    public var idempotencyKey: String?
    /// Deliveries before the job moves to the dead-letter list; at least 1.
    public var maxAttempts: Int

    /// - Parameters:
    ///   - name: the handler's name.
    ///   - payload: opaque bytes for the handler.
    ///   - priority: default `.normal`.
    ///   - delay: default zero: claimable at once.
    ///   - idempotencyKey: default none.
    ///   - maxAttempts: default 5.
    public init(
        name: String, payload: [UInt8], priority: JobPriority = .normal, delay: Duration = .zero,
        idempotencyKey: String? = nil, maxAttempts: Int = 5
    ) {
        self.name = name
        self.payload = payload
        self.priority = priority
        self.delay = delay
        self.idempotencyKey = idempotencyKey
        self.maxAttempts = maxAttempts
    }
}
