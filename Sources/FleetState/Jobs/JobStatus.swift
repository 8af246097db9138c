import Foundation

/// What `JobQueue.status(of:)` tells about one job.
public struct JobStatus: Sendable {
    public var id: JobID
    public var name: String
    public var state: JobState
    /// Deliveries so far (0 while it has never been claimed).
    public var attempts: Int
    /// What the handler returned, once `completed`.
    public var result: [UInt8]?
    /// The last failure's message (or why a delivery expired).
    public var lastError: String?
    public var enqueuedAt: Date
    public var updatedAt: Date

    public init(
        id: JobID, name: String, state: JobState, attempts: Int, result: [UInt8]?, lastError: String?,
        enqueuedAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.attempts = attempts
        self.result = result
        self.lastError = lastError
        self.enqueuedAt = enqueuedAt
        self.updatedAt = updatedAt
    }

    /// A timestamp the backends store as milliseconds since the epoch.
    static func date(milliseconds: some BinaryInteger) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
