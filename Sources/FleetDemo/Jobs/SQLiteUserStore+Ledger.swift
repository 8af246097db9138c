import SQLiteNIO

extension SQLiteUserStore: JobLedger {
    /// The credit job's table, created by `migrate()` in the API and the workers alike.
    static let ledgerMigration = Migration.jobLedger(amountType: "INTEGER", countType: "INTEGER")

    public func credit(key: String, account: String, amount: Int) async throws -> Int {
        // One statement, so it is atomic on a connection other tasks share.
        let rows = try await self.connection.query(
            """
            INSERT INTO job_credits (idempotency_key, account, amount) VALUES (?, ?, ?)
            ON CONFLICT (idempotency_key) DO UPDATE SET deliveries = deliveries + 1
            RETURNING deliveries
            """,
            [.text(key), .text(account), .integer(amount)]
        )
        return rows.first?.column("deliveries")?.integer ?? 0
    }

    public func balance(account: String) async throws -> Int {
        try await self.connection.query("SELECT COALESCE(SUM(amount), 0) AS balance FROM job_credits WHERE account = ?", [.text(account)])
            .first?.column("balance")?.integer ?? 0
    }
}
