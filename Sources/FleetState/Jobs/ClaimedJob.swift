/// A job handed to one consumer. Until completed, failed or released it is
/// invisible to other consumers for the visibility timeout; after that any
/// consumer may reclaim it, with `attempt` one higher.
public struct ClaimedJob: Sendable {
    public var id: JobID
    public var name: String
    public var payload: [UInt8]
    /// 1 on first delivery. Also the lease: `fail` and `release` from a delivery
    /// that has since been reclaimed by another consumer change nothing.
    public var attempt: Int
    public var idempotencyKey: String?

    public init(id: JobID, name: String, payload: [UInt8], attempt: Int, idempotencyKey: String?) {
        self.id = id
        self.name = name
        self.payload = payload
        self.attempt = attempt
        self.idempotencyKey = idempotencyKey
    }
}
