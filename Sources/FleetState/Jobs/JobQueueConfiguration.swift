/// What every backend of one queue shares: its name, the retry policy and how
/// long ids, results and dead jobs are kept.
public struct JobQueueConfiguration: Sendable {
    /// The queue's name: 1 to 64 letters, digits, `-`, `_` or `.`. Default "default".
    public var name: String
    /// The backoff between a failed attempt and the next.
    public var retry: JobRetryPolicy
    /// How long an idempotency key returns its job's id. Default 24 hours.
    public var idempotencyTTL: Duration
    /// How long a completed job's status and result stay readable. Default 24 hours.
    public var completedTTL: Duration
    /// How long a dead job's status stays readable. Default 7 days.
    public var deadTTL: Duration
    /// The largest payload `enqueue` accepts (and result `complete` accepts). Default 1 MiB.
    public var maxPayloadBytes: Int

    /// Checks the values; throws `FleetStateError` with code `invalidConfiguration` naming the bad one.
    public init(
        name: String = "default", retry: JobRetryPolicy = JobRetryPolicy(), idempotencyTTL: Duration = .seconds(86_400),
        completedTTL: Duration = .seconds(86_400), deadTTL: Duration = .seconds(7 * 86_400), maxPayloadBytes: Int = 1 << 20
    ) throws {
        guard Self.isValidName(name) else {
            throw FleetStateError(
                .invalidConfiguration, "job queue name '\(name)': use 1 to 64 letters, digits, '-', '_' or '.'")
        }
        guard maxPayloadBytes > 0 else {
            throw FleetStateError(.invalidConfiguration, "job maxPayloadBytes \(maxPayloadBytes): must be positive")
        }
        for (field, value) in [("idempotencyTTL", idempotencyTTL), ("completedTTL", completedTTL), ("deadTTL", deadTTL)]
        where value.milliseconds < 1 {
            throw FleetStateError(.invalidConfiguration, "job \(field) \(value): must be at least 1 ms")
        }
        self.name = name
        self.retry = retry
        self.idempotencyTTL = idempotencyTTL
        self.completedTTL = completedTTL
        self.deadTTL = deadTTL
        self.maxPayloadBytes = maxPayloadBytes
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    return true
                default:
                    return false
                }
            }
    }

    /// Throws `invalidJob` or `jobTooLarge` for a request no backend should store.
    func validate(_ request: JobRequest) throws {
        guard (1...200).contains(request.name.utf8.count) else {
            throw FleetStateError(.invalidJob, "job name: must be 1 to 200 bytes, got \(request.name.utf8.count)")
        }
        guard request.payload.count <= maxPayloadBytes else {
            throw FleetStateError(
                .jobTooLarge, "job payload: \(request.payload.count) bytes, the limit is \(maxPayloadBytes)")
        }
        guard request.maxAttempts >= 1 else {
            throw FleetStateError(.invalidJob, "job maxAttempts: must be at least 1, got \(request.maxAttempts)")
        }
        guard request.delay >= .zero else {
            throw FleetStateError(.invalidJob, "job delay: must not be negative, got \(request.delay)")
        }
        if let key = request.idempotencyKey, !(1...200).contains(key.utf8.count) {
            throw FleetStateError(.invalidJob, "job idempotencyKey: must be 1 to 200 bytes, got \(key.utf8.count)")
        }
    }

    /// Throws `jobTooLarge` for a result larger than `maxPayloadBytes`.
    func validate(result: [UInt8]) throws {
        guard result.count <= maxPayloadBytes else {
            throw FleetStateError(.jobTooLarge, "job result: \(result.count) bytes, the limit is \(maxPayloadBytes)")
        }
    }
}
