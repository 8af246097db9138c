#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sessions as the HTTP layer uses them: signed cookies in, live records out,
/// expiry judged here and written back only when it must be.
public struct SessionManager: Sendable {
    public let store: any SessionStore
    public let signer: SessionSigner
    public let configuration: SessionConfiguration
    private let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - store: where sessions live.
    ///   - signer: signs and verifies cookie values.
    ///   - configuration: timeouts and the touch threshold.
    ///   - now: the wall clock in milliseconds since the epoch; tests inject their own.
    public init(
        store: any SessionStore,
        signer: SessionSigner,
        configuration: SessionConfiguration = .init(),
        now: @escaping @Sendable () -> Int64 = SessionManager.wallClock
    ) {
        self.store = store
        self.signer = signer
        self.configuration = configuration
        self.now = now
    }

    /// The system's real-time clock, in milliseconds since the epoch.
    public static func wallClock() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// The live session a cookie value names, or nil when the value is unsigned,
    /// tampered with, names no session, or names an expired one: all of these
    /// mean anonymous, never an error. Extends the idle deadline when little of it remains.
    /// - Throws: `FleetStateError` `.backendUnavailable`, only when the store fails.
    public func resume(cookie value: String) async throws(FleetStateError) -> SessionRecord? {
        guard let id = self.signer.verify(value), var record = try await self.backend("load a session", { try await self.store.load(id) }) else {
            return nil
        }
        let now = self.now()
        if record.isExpired(at: now) {
            try await self.backend("delete a session") { try await self.store.destroy(id) }
            return nil
        }
        if record.idleExpiresAt - now < self.configuration.effectiveTouchThreshold.milliseconds {
            record.idleExpiresAt = now + self.configuration.idleTimeout.milliseconds
            try await self.backend("extend a session") { [record] in try await self.store.touch(id, idleExpiresAt: record.idleExpiresAt, now: now) }
        }
        return record
    }

    /// Starts a session with a new id.
    ///
    /// Every operation throws `FleetStateError` `.backendUnavailable` when the store fails.
    /// - Parameters:
    ///   - userID: the logged-in user, or nil for an anonymous session.
    ///   - fields: its first fields.
    public func create(userID: String?, fields: [String: String] = [:]) async throws(FleetStateError) -> SessionRecord {
        let now = self.now()
        let record = SessionRecord(
            id: .random(),
            userID: userID,
            fields: fields,
            createdAt: now,
            idleExpiresAt: now + self.configuration.idleTimeout.milliseconds,
            absoluteExpiresAt: now + self.configuration.absoluteTimeout.milliseconds
        )
        try await self.backend("create a session") { try await self.store.create(record, now: now) }
        return record
    }

    /// Replaces `old` with a session under a new id that carries its fields, and
    /// deletes `old`: call it on login so an id planted before login (session
    /// fixation) is dead after it.
    public func regenerate(_ old: SessionRecord?, userID: String?) async throws(FleetStateError) -> SessionRecord {
        let record = try await self.create(userID: userID, fields: old?.fields ?? [:])
        if let old { try await self.destroy(old.id) }
        return record
    }

    /// Sets and removes fields of a session, each on its own; false when it no longer exists.
    @discardableResult
    public func update(_ id: SessionID, set: [String: String], remove: [String] = []) async throws(FleetStateError) -> Bool {
        try await self.backend("update a session") { try await self.store.update(id, set: set, remove: remove) }
    }

    /// Ends one session.
    public func destroy(_ id: SessionID) async throws(FleetStateError) {
        try await self.backend("delete a session") { try await self.store.destroy(id) }
    }

    /// Ends every session of a user, on every worker; returns how many ended.
    @discardableResult
    public func destroyAll(userID: String) async throws(FleetStateError) -> Int {
        try await self.backend("delete every session of a user") { try await self.store.destroyAll(userID: userID) }
    }

    /// The signed cookie value for a session.
    public func cookieValue(for id: SessionID) -> String {
        self.signer.sign(id)
    }

    /// Seconds until the session's absolute deadline, for the cookie's `Max-Age`.
    public func cookieMaxAge(for record: SessionRecord) -> Int {
        max(0, Int((record.absoluteExpiresAt - self.now()) / 1000))
    }

    /// Runs a store operation; its failure becomes `.backendUnavailable`, naming the step.
    private func backend<Value>(_ step: String, _ operation: () async throws -> Value) async throws(FleetStateError) -> Value {
        do {
            return try await operation()
        } catch let error as FleetStateError {
            throw error
        } catch {
            throw FleetStateError(.backendUnavailable, "the session store failed to \(step)", underlying: error)
        }
    }
}
