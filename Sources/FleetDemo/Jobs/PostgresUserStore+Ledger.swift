import PostgresNIO

extension PostgresUserStore: JobLedger {
    public func prepareLedger() async throws {
        for await _ in self.running {}
        // Under the migrations' lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL.
        try await self.client.withTransaction(logger: self.logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: self.logger)
            try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS job_credits (
                idempotency_key TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                amount BIGINT NOT NULL,
                deliveries INT NOT NULL DEFAULT 1
            )
            """,
            logger: self.logger
            )
        }
    }

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
