import Synchronization

/// Sessions in this process's memory: for tests and a single process only,
/// since another worker cannot see them.
public final class MemorySessionStore: SessionStore {
    private struct State {
        var sessions: [SessionID: SessionRecord] = [:]
        var byUser: [String: Set<SessionID>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func create(_ record: SessionRecord, now: Int64) async throws {
        self.state.withLock { state in
            // Drop what has expired, so a long-lived process does not grow without bound.
            for (id, old) in state.sessions where old.isExpired(at: now) {
                state.sessions[id] = nil
                if let user = old.userID { state.byUser[user]?.remove(id) }
            }
            state.sessions[record.id] = record
            if let user = record.userID { state.byUser[user, default: []].insert(record.id) }
        }
    }

    public func load(_ id: SessionID) async throws -> SessionRecord? {
        self.state.withLock { $0.sessions[id] }
    }

    public func update(_ id: SessionID, set: [String: String], remove: [String]) async throws -> Bool {
        self.state.withLock { state in
            guard state.sessions[id] != nil else { return false }
            state.sessions[id]!.fields.merge(set) { _, new in new }
            for name in remove { state.sessions[id]!.fields[name] = nil }
            return true
        }
    }

    public func touch(_ id: SessionID, idleExpiresAt: Int64, now: Int64) async throws {
        self.state.withLock { state in
            guard let current = state.sessions[id]?.idleExpiresAt, current < idleExpiresAt else { return }
            state.sessions[id]!.idleExpiresAt = idleExpiresAt
        }
    }

    public func destroy(_ id: SessionID) async throws {
        self.state.withLock { state in
            guard let record = state.sessions.removeValue(forKey: id) else { return }
            if let user = record.userID { state.byUser[user]?.remove(id) }
        }
    }

    public func destroyAll(userID: String) async throws -> Int {
        self.state.withLock { state in
            let ids = state.byUser.removeValue(forKey: userID) ?? []
            for id in ids { state.sessions[id] = nil }
            return ids.count
        }
    }
}
