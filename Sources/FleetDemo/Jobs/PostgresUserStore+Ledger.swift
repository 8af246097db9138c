import PostgresNIO

extension PostgresUserStore: JobLedger {
    /// The credit job's table, created by `migrate()` in the API and the workers alike.
    static let ledgerMigration = Migration.jobLedger(amountType: "BIGINT", countType: "INT")

    public func credit(key: String, account: String, amount: Int) async throws -> Int {
        let rows = try await self.client.query(
            """
            INSERT INTO job_credits (idempotency_key, account, amount) VALUES (\(key), \(account), \(amount))
            ON CONFLICT (idempotency_key) DO UPDATE SET deliveries = job_credits.deliveries + 1
            RETURNING deliveries
            """,
            logger: self.logger
        )
        for try await deliveries in rows.decode(Int.self) { return deliveries }
        throw UserStoreError.noRowReturned
    }

    public func balance(account: String) async throws -> Int {
        let rows = try await self.client.query("SELECT COALESCE(SUM(amount), 0)::BIGINT FROM job_credits WHERE account = \(account)", logger: self.logger)
        for try await balance in rows.decode(Int.self) { return balance }
        return 0
    }
}
