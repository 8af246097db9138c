/// Where the demo's `credit` job records its effect: one row per idempotency key
/// (its primary key), so a job delivered twice (at least once, after a worker
/// died mid-job) credits once. The row counts its deliveries, which shows the redelivery.
/// The table is the demo's migration 2 (`UserStore.migrate()`).
public protocol JobLedger: Sendable {
    /// Credits `amount` to `account` once per `key`.
    /// - Returns: how many times this key was delivered, this one included.
    func credit(key: String, account: String, amount: Int) async throws -> Int
    /// The sum of the credits to `account`.
    func balance(account: String) async throws -> Int
}
