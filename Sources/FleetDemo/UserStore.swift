import ServiceLifecycle

/// Where the demo's users live. A store is a `Service`: it opens in `run()`'s
/// group and closes after the server has drained.
public protocol UserStore: Service {
    /// Brings the schema to the latest version; safe to run from many processes at once.
    func migrate() async throws
    /// Adds a user. - Throws: `UserStoreError.duplicateEmail` when the email is taken.
    func create(_ input: UserInput) async throws -> User
    /// The user with `id`, or nil.
    func user(id: Int64) async throws -> User?
    /// The user with `id` as last committed, never from a lagging replica: what a cache may keep.
    func freshUser(id: Int64) async throws -> User?
    /// The user with `email` (already lower-cased), or nil.
    func user(email: String) async throws -> User?
    /// Replaces a user's fields; nil when there is no such user.
    /// - Throws: `UserStoreError.duplicateEmail` when the email belongs to someone else.
    func update(id: Int64, _ input: UserInput) async throws -> User?
    /// Deletes a user; false when there was none.
    func delete(id: Int64) async throws -> Bool
    /// Up to `limit` users with ids above `after`, in id order (keyset pagination).
    func list(after: Int64, limit: Int) async throws -> [User]
    /// Returns when the store answers a trivial query.
    func ping() async throws
}

extension UserStore {
    /// A store with one server reads its own writes everywhere.
    public func freshUser(id: Int64) async throws -> User? {
        try await self.user(id: id)
    }
}

/// A store failure the API maps to a client error.
public enum UserStoreError: Error, Equatable {
    /// Another user has this email.
    case duplicateEmail
    /// A write that must return the row returned none: a store bug, reported as a 500.
    case noRowReturned
}
