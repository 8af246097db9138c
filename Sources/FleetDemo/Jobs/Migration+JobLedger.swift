extension Migration {
    /// The demo's migration 2: the credit job's table (`JobLedger`), keyed by the idempotency
    /// key that `INSERT ... ON CONFLICT (idempotency_key)` counts redeliveries on.
    /// The same in SQLite and PostgreSQL but for the dialect's integer types.
    /// - Parameters:
    ///   - amountType: a 64-bit integer column (the credited amount).
    ///   - countType: an integer column (the deliveries).
    static func jobLedger(amountType: String, countType: String) -> Migration {
        Migration(version: 2, statements: [
            """
            CREATE TABLE job_credits (
                idempotency_key TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                amount \(amountType) NOT NULL,
                deliveries \(countType) NOT NULL DEFAULT 1
            )
            """
        ])
    }
}
