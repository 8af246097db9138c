/// Where sessions live: Redis in production, SQLite for the workers of one
/// machine, memory for one process and tests.
///
/// A store keeps what it is told; `SessionManager` decides what is expired.
/// Stores may drop a session once it has expired (Redis does so by TTL).
/// Times are milliseconds since the Unix epoch.
public protocol SessionStore: Sendable {
    /// Stores a new session and adds it to its user's index.
    /// - Parameter now: the current time, for stores that expire keys by TTL.
    func create(_ record: SessionRecord, now: Int64) async throws

    /// The session with `id`, or nil when there is none.
    func load(_ id: SessionID) async throws -> SessionRecord?

    /// Sets and removes fields of an existing session, each field on its own,
    /// so a concurrent update of other fields is kept.
    /// - Returns: false when the session does not exist (it is not recreated).
    @discardableResult
    func update(_ id: SessionID, set: [String: String], remove: [String]) async throws -> Bool

    /// Moves the idle deadline of an existing session (rolling expiry).
    func touch(_ id: SessionID, idleExpiresAt: Int64, now: Int64) async throws

    /// Deletes one session; deleting a missing session is not an error.
    func destroy(_ id: SessionID) async throws

    /// Deletes every session of `userID` through the per-user index, never a scan.
    /// - Returns: how many sessions were deleted.
    @discardableResult
    func destroyAll(userID: String) async throws -> Int
}
