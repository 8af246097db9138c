import FleetState
import Synchronization

/// One request's view of its session: who is logged in, the session's fields,
/// and the operations a handler performs (login, logout, writes). Every write
/// goes to the store at once and per field; the middleware then sends the
/// cookie the request ended with.
public final class RequestSession: Sendable {
    /// What the response must say about the cookie.
    enum CookieChange: Sendable, Equatable {
        case keep
        case set(SessionRecord)
        case clear
    }

    private struct State {
        var manager: SessionManager?
        var record: SessionRecord?
        var cookie = CookieChange.keep
    }

    private let state = Mutex(State())

    /// An anonymous session not yet attached to a `SessionMiddleware`.
    public init() {}

    /// The session's id, or nil while anonymous with no session.
    public var id: SessionID? { state.withLock { $0.record?.id } }
    /// The logged-in user, or nil.
    public var userID: String? { state.withLock { $0.record?.userID } }
    /// A field's value, or nil.
    public subscript(field: String) -> String? { state.withLock { $0.record?.fields[field] } }

    /// Sets (or, with nil, removes) one field; an anonymous request gets a session.
    public func set(_ field: String, to value: String?) async throws {
        let (manager, record) = try current()
        let set = value.map { [field: $0] } ?? [:]
        let remove = value == nil ? [field] : []
        if let record, try await manager.update(record.id, set: set, remove: remove) {
            state.withLock { $0.record?.fields[field] = value }
            return
        }
        // No session, or it ended meanwhile (logged out on another worker): start an anonymous one.
        let created = try await manager.create(userID: nil, fields: set)
        state.withLock {
            $0.record = created
            $0.cookie = .set(created)
        }
    }

    /// Logs `userID` in under a new session id that keeps this session's
    /// fields; the old id, which an attacker may have planted, is deleted.
    public func login(userID: String) async throws {
        let (manager, record) = try current()
        let created = try await manager.regenerate(record, userID: userID)
        state.withLock {
            $0.record = created
            $0.cookie = .set(created)
        }
    }

    /// Ends this session and clears the cookie.
    public func logout() async throws {
        let (manager, record) = try current()
        if let record { try await manager.destroy(record.id) }
        clear()
    }

    /// Ends every session of the logged-in user, on every worker, and clears
    /// this request's cookie. - Returns: how many sessions ended; 0 when anonymous.
    @discardableResult
    public func logoutEverywhere() async throws -> Int {
        let (manager, record) = try current()
        guard let user = record?.userID else { return 0 }
        let ended = try await manager.destroyAll(userID: user)
        clear()
        return ended
    }

    func attach(_ manager: SessionManager, record: SessionRecord?) {
        state.withLock {
            $0.manager = manager
            $0.record = record
        }
    }

    var cookieChange: CookieChange { state.withLock { $0.cookie } }

    private func clear() {
        state.withLock {
            $0.record = nil
            $0.cookie = .clear
        }
    }

    private func current() throws(FleetStateError) -> (SessionManager, SessionRecord?) {
        let (manager, record) = state.withLock { ($0.manager, $0.record) }
        guard let manager else {
            throw FleetStateError(.invalidConfiguration, "the route has no SessionMiddleware in front of it")
        }
        return (manager, record)
    }
}
