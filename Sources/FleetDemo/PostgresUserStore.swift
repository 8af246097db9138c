import Logging
import PostgresNIO
import ServiceLifecycle

/// Users in PostgreSQL through postgres-nio's pooled `PostgresClient`.
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
        ])
    ]
    /// Serialises migrations of workers that start together.
    static let migrationLockKey = 0x466C_6565_74

    let client: PostgresClient
    let logger: Logger
    /// Opens when `run()` starts the pool, so start-up queries do not race it.
    let running: AsyncStream<Void>
    let markRunning: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - configuration: where the server is and how to reach it.
    ///   - poolMax: the most connections this process opens.
    ///   - logger: where the store and its pool log.
    public init(configuration: PostgresClient.Configuration, poolMax: Int, logger: Logger) {
        var configuration = configuration
        configuration.options.maximumConnections = poolMax
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.connectionIdleTimeout = .seconds(30)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        (self.running, self.markRunning) = AsyncStream.makeStream()
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
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
        try await self.one("SELECT id, name, email FROM users WHERE id = \(id)")
    }

    public func user(email: String) async throws -> User? {
        try await self.one("SELECT id, name, email FROM users WHERE email = \(email)")
    }

    public func update(id: Int64, _ input: UserInput) async throws -> User? {
        try await self.one(
            "UPDATE users SET name = \(input.name), email = \(input.email), updated_at = now() WHERE id = \(id) RETURNING id, name, email"
        )
    }

    public func delete(id: Int64) async throws -> Bool {
        var deleted = false
        for try await _ in try await self.client.query("DELETE FROM users WHERE id = \(id) RETURNING id", logger: self.logger) {
            deleted = true
        }
        return deleted
    }

    public func list(after: Int64, limit: Int) async throws -> [User] {
        try await self.all("SELECT id, name, email FROM users WHERE id > \(after) ORDER BY id LIMIT \(limit)")
    }

    public func ping() async throws {
        try await self.client.query("SELECT 1", logger: self.logger)
    }

    func one(_ query: PostgresQuery) async throws -> User? {
        try await self.all(query).first
    }

    func all(_ query: PostgresQuery) async throws -> [User] {
        do {
            var users: [User] = []
            for try await (id, name, email) in try await self.client.query(query, logger: self.logger).decode((Int64, String, String).self) {
                users.append(User(id: id, name: name, email: email))
            }
            return users
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw UserStoreError.duplicateEmail
        }
    }
}
