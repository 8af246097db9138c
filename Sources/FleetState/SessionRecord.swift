/// A session as its store holds it: who it belongs to, its fields, and when it ends.
///
/// Times are milliseconds since the Unix epoch: wall-clock time, because
/// every worker process (and every machine, with Redis) must agree on them.
public struct SessionRecord: Sendable, Equatable {
    public var id: SessionID
    /// The logged-in user, or nil for an anonymous session.
    public var userID: String?
    /// The application's data, one entry per field so that concurrent
    /// requests writing different fields never overwrite each other.
    public var fields: [String: String]
    public var createdAt: Int64
    /// When the session ends if no request extends it (rolling).
    public var idleExpiresAt: Int64
    /// When the session ends however active it is.
    public var absoluteExpiresAt: Int64

    public init(id: SessionID, userID: String?, fields: [String: String], createdAt: Int64, idleExpiresAt: Int64, absoluteExpiresAt: Int64) {
        self.id = id
        self.userID = userID
        self.fields = fields
        self.createdAt = createdAt
        self.idleExpiresAt = idleExpiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
    }

    /// The earlier of the two deadlines.
    public var expiresAt: Int64 { min(idleExpiresAt, absoluteExpiresAt) }

    /// True once `now` has reached either deadline.
    public func isExpired(at now: Int64) -> Bool { now >= expiresAt }
}
