import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Users in PostgreSQL through postgres-nio's pooled `PostgresClient`.
///
/// With a read replica, reads go to it and writes to the primary; a read that
/// finds nothing on the replica is asked again of the primary (the row may be
/// a write the replica has not replayed yet), and `freshUser` (the cache's
/// loader) always reads the primary, so no stale row is cached after a write.
public final class PostgresUserStore: UserStore {
    static let migrations = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE users (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """
        ]),
        ledgerMigration,
    ]
    /// Serialises migrations of workers that start together.
    static let migrationLockKey = 0x466C_6565_74

    let client: PostgresClient
    /// The replica's pool, when `DATABASE_READ_URL` is set.
    let replica: PostgresClient?
    let gate: DatabaseGate
    let replicaGate: DatabaseGate
    let logger: Logger
    let poolMax: Int
    /// Statements running now: see `poolUsage`.
    let operations = Atomic<Int>(0)
    /// Opens when `run()` starts the pool, so start-up queries do not race it.
    let running: AsyncStream<Void>
    let markRunning: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - configuration: where the primary is and how to reach it.
    ///   - replica: where a read replica is, if any.
    ///   - poolMax: the most connections this process opens to each server.
    ///   - timeout: the most one query may take, waiting for a connection included; then it is a 503.
    ///   - logger: where the store and its pools log.
    public init(
        configuration: PostgresClient.Configuration,
        replica: PostgresClient.Configuration? = nil,
        poolMax: Int,
        timeout: Duration = .seconds(2),
        logger: Logger
    ) {
        self.client = PostgresClient(configuration: Self.pooled(configuration, max: poolMax), backgroundLogger: logger)
        self.replica = replica.map { PostgresClient(configuration: Self.pooled($0, max: poolMax), backgroundLogger: logger) }
        self.gate = DatabaseGate(timeout: timeout, cooldown: .milliseconds(500))
        self.replicaGate = DatabaseGate(timeout: timeout, cooldown: .milliseconds(500))
        self.logger = logger
        self.poolMax = poolMax
        (self.running, self.markRunning) = AsyncStream.makeStream()
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            if let replica = self.replica { group.addTask { await replica.run() } }
            self.markRunning.finish()
        }
    }

    public func migrate() async throws {
        for await _ in self.running {}
        try await self.client.withTransaction(logger: self.logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: self.logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS fleet_schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: self.logger
            )
            var current = 0
            for try await version in try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM fleet_schema_migrations",
                logger: self.logger
            ).decode(Int.self) {
                current = version
            }
            for migration in Self.migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query("INSERT INTO fleet_schema_migrations (version) VALUES (\(migration.version))", logger: self.logger)
                self.logger.info("applied migration", metadata: ["db.migration": "\(migration.version)", "db.system": "postgresql"])
            }
        }
    }

    /// The server's `max_connections`.
    public func maxConnections() async throws -> Int {
        for try await value in try await self.client.query("SHOW max_connections", logger: self.logger).decode(String.self) {
            if let count = Int(value) { return count }
        }
        throw UserStoreError.noRowReturned
    }

    public func create(_ input: UserInput) async throws -> User {
        guard let user = try await self.one("INSERT INTO users (name, email) VALUES (\(input.name), \(input.email)) RETURNING id, name, email") else {
            throw UserStoreError.noRowReturned
        }
        return user
    }

    public func user(id: Int64) async throws -> User? {
        try await self.one("SELECT id, name, email FROM users WHERE id = \(id)", on: .replicaThenPrimary)
    }

    public func freshUser(id: Int64) async throws -> User? {
        try await self.one("SELECT id, name, email FROM users WHERE id = \(id)")
    }

    public func user(email: String) async throws -> User? {
        try await self.one("SELECT id, name, email FROM users WHERE email = \(email)", on: .replicaThenPrimary)
    }

    public func update(id: Int64, _ input: UserInput) async throws -> User? {
        try await self.one(
            "UPDATE users SET name = \(input.name), email = \(input.email), updated_at = now() WHERE id = \(id) RETURNING id, name, email"
        )
    }

    public func delete(id: Int64) async throws -> Bool {
        try await self.one("DELETE FROM users WHERE id = \(id) RETURNING id, name, email") != nil
    }

    public func list(after: Int64, limit: Int) async throws -> [User] {
        try await self.all("SELECT id, name, email FROM users WHERE id > \(after) ORDER BY id LIMIT \(limit)", on: .replica)
    }

    /// Asks the primary, past the gate, and closes the gate when it answers: readiness sees the truth and ends an outage.
    public func ping() async throws {
        let query: PostgresQuery = "SELECT 1"
        try await self.traced(query) { _ = try await self.client.query(query, logger: self.logger) }
        self.gate.markUp()
    }
}
