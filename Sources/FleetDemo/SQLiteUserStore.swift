import FleetState
import Foundation
import Logging
import ServiceLifecycle
import SQLiteNIO
import Synchronization

/// Users in an SQLite file under the state directory: no server, and correct
/// for every worker process of one machine (WAL mode, one writer at a time,
/// readers never blocked, writers wait on each other through `busy_timeout`).
public final class SQLiteUserStore: UserStore {
    static let migrations = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """
        ]),
        ledgerMigration,
    ]

    let connections: [SQLiteConnection]
    let nextConnection = Atomic<Int>(0)
    let logger: Logger

    init(connections: [SQLiteConnection], logger: Logger) {
        self.connections = connections
        self.logger = logger
    }

    /// Opens (creating if needed) the database file at `path`.
    /// - Parameters:
    ///   - path: the database file; its directory is created.
    ///   - connections: how many connections reads and writes share.
    ///   - logger: where the store logs.
    public static func open(path: String, connections: Int = 4, logger: Logger) async throws -> SQLiteUserStore {
        SQLiteUserStore(connections: try await SharedSQLite.open(path: path, count: connections, logger: logger), logger: logger)
    }

    var connection: SQLiteConnection {
        let index = self.nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue
        return self.connections[index % self.connections.count]
    }

    public func run() async throws {
        try? await gracefulShutdown()
        for connection in self.connections {
            try await connection.close()
        }
    }

    public func migrate() async throws {
        let connection = self.connections[0]
        // IMMEDIATE takes the write lock first, so workers starting together migrate one at a time.
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            _ = try await connection.query(
                "CREATE TABLE IF NOT EXISTS fleet_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            let current = try await connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM fleet_schema_migrations")
                .first?.column("version")?.integer ?? 0
            for migration in Self.migrations where migration.version > current {
                for statement in migration.statements {
                    _ = try await connection.query(statement)
                }
                _ = try await connection.query(
                    "INSERT INTO fleet_schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    [.integer(migration.version)]
                )
                self.logger.info("applied migration", metadata: ["db.migration": "\(migration.version)", "db.system": "sqlite"])
            }
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    public func create(_ input: UserInput) async throws -> User {
        let rows = try await self.write(
            "INSERT INTO users (name, email) VALUES (?, ?) RETURNING id, name, email",
            [.text(input.name), .text(input.email)]
        )
        guard let user = rows.first.flatMap(Self.user) else { throw UserStoreError.noRowReturned }
        return user
    }

    public func user(id: Int64) async throws -> User? {
        try await self.connection.query("SELECT id, name, email FROM users WHERE id = ?", [.integer(Int(id))])
            .first.flatMap(Self.user)
    }

    public func user(email: String) async throws -> User? {
        try await self.connection.query("SELECT id, name, email FROM users WHERE email = ?", [.text(email)]).first.flatMap(Self.user)
    }

    public func update(id: Int64, _ input: UserInput) async throws -> User? {
        try await self.write(
            """
            UPDATE users SET name = ?, email = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
            WHERE id = ? RETURNING id, name, email
            """,
            [.text(input.name), .text(input.email), .integer(Int(id))]
        ).first.flatMap(Self.user)
    }

    public func delete(id: Int64) async throws -> Bool {
        try await !self.connection.query("DELETE FROM users WHERE id = ? RETURNING id", [.integer(Int(id))]).isEmpty
    }

    public func list(after: Int64, limit: Int) async throws -> [User] {
        try await self.connection.query(
            "SELECT id, name, email FROM users WHERE id > ? ORDER BY id LIMIT ?",
            [.integer(Int(after)), .integer(limit)]
        ).compactMap(Self.user)
    }

    public func ping() async throws {
        _ = try await self.connection.query("SELECT 1")
    }

    func write(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        do {
            return try await self.connection.query(sql, binds)
        } catch let error as SQLiteError where error.reason == .constraintUniqueFailed || error.reason == .constraint {
            throw UserStoreError.duplicateEmail
        }
    }

    static func user(_ row: SQLiteRow) -> User? {
        guard let id = row.column("id")?.integer, let name = row.column("name")?.string, let email = row.column("email")?.string else {
            return nil
        }
        return User(id: Int64(id), name: name, email: email)
    }
}
