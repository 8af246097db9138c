/// An `Offload` pool refused a job: every thread is busy and `queueLimit` jobs already wait.
///
/// `ProblemMiddleware` answers it with `503` problem+json of type
/// `urn:fleet:problem:overloaded` and `Retry-After`.
public struct OffloadQueueFull: Error, Sendable, CustomStringConvertible {
    /// The queue limit that was reached.
    public let queueLimit: Int
    /// How long a client should wait before it retries.
    public let retryAfter: Duration

    public var description: String {
        "offload pool full: every thread busy and \(self.queueLimit) jobs waiting"
    }
}
