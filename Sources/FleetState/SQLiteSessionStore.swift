#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import SQLiteNIO
import ServiceLifecycle
import Synchronization

/// Sessions in an SQLite file under the state directory: no server, and one
/// store for every worker process of the machine (WAL mode; each write is a
/// single statement, so SQLite's write lock makes it atomic across processes).
///
/// Fields are rows of their own, so two requests writing different fields of
/// one session both keep their write. Run the store as a `Service`: it closes
/// its connections after graceful shutdown.
public final class SQLiteSessionStore: SessionStore, Service {
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS fleet_sessions (
            id TEXT PRIMARY KEY,
            user_id TEXT,
            created_at INTEGER NOT NULL,
            idle_expires_at INTEGER NOT NULL,
            absolute_expires_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS fleet_sessions_user ON fleet_sessions (user_id) WHERE user_id IS NOT NULL",
        """
        CREATE TABLE IF NOT EXISTS fleet_session_fields (
            session_id TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (session_id, name)
        ) WITHOUT ROWID
        """,
        // A trigger rather than a foreign key: it holds whatever pragmas another process opened with.
        """
        CREATE TRIGGER IF NOT EXISTS fleet_session_fields_cascade AFTER DELETE ON fleet_sessions
        BEGIN DELETE FROM fleet_session_fields WHERE session_id = old.id; END
        """,
    ]
    /// Expired sessions are purged on one create in this many, not on every one.
    static let purgeInterval = 64

    let connections: [SQLiteConnection]
    private let next = Atomic<Int>(0)
    private let creates = Atomic<Int>(0)

    init(connections: [SQLiteConnection]) {
        self.connections = connections
    }

    /// Opens (creating if needed) the session database at `path` and its schema.
    /// - Parameters:
    ///   - path: the database file, e.g. `.fleet/sessions.sqlite`; its directory is created.
    ///   - connections: how many connections requests share. Default 2.
    ///   - logger: where SQLite logs.
    public static func open(path: String, connections: Int = 2, logger: Logger) async throws -> SQLiteSessionStore {
        // Session ids are bearer secrets: create the file private; SQLite gives its WAL the same mode.
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FleetStateError(.backendUnavailable, "cannot create \(path): \(String(cString: strerror(errno)))") }
        Glibc.close(fd)
        let opened = try await SharedSQLite.open(path: path, count: connections, logger: logger)
        try await SharedSQLite.createSchema(Self.schema, on: opened[0])
        return SQLiteSessionStore(connections: opened)
    }

    var connection: SQLiteConnection {
        self.connections[self.next.wrappingAdd(1, ordering: .relaxed).oldValue % self.connections.count]
    }

    /// Waits for graceful shutdown, then closes the connections.
    public func run() async throws {
        try? await gracefulShutdown()
        try await self.close()
    }

    /// Closes the connections; for a store not run as a service.
    public func close() async throws {
        for connection in self.connections { try await connection.close() }
    }

    public func create(_ record: SessionRecord, now: Int64) async throws {
        if self.creates.wrappingAdd(1, ordering: .relaxed).oldValue % Self.purgeInterval == 0 {
            _ = try await self.connection.query(
                "DELETE FROM fleet_sessions WHERE idle_expires_at <= ? OR absolute_expires_at <= ?",
                [.integer(Int(now)), .integer(Int(now))]
            )
        }
        _ = try await self.connection.query(
            "INSERT INTO fleet_sessions (id, user_id, created_at, idle_expires_at, absolute_expires_at) VALUES (?, ?, ?, ?, ?)",
            [
                .text(record.id.rawValue), record.userID.map(SQLiteData.text) ?? .null, .integer(Int(record.createdAt)),
                .integer(Int(record.idleExpiresAt)), .integer(Int(record.absoluteExpiresAt)),
            ]
        )
        // Not in the same statement, but no one can know the new id before its cookie is sent.
        if !record.fields.isEmpty {
            _ = try await self.update(record.id, set: record.fields, remove: [])
        }
    }

    public func load(_ id: SessionID) async throws -> SessionRecord? {
        let rows = try await self.connection.query(
            """
            SELECT s.user_id, s.created_at, s.idle_expires_at, s.absolute_expires_at, f.name, f.value
            FROM fleet_sessions s LEFT JOIN fleet_session_fields f ON f.session_id = s.id
            WHERE s.id = ?
            """,
            [.text(id.rawValue)]
        )
        guard let first = rows.first, let created = first.column("created_at")?.integer,
            let idle = first.column("idle_expires_at")?.integer, let absolute = first.column("absolute_expires_at")?.integer
        else { return nil }
        var fields: [String: String] = [:]
        for row in rows {
            if let name = row.column("name")?.string, let value = row.column("value")?.string { fields[name] = value }
        }
        return SessionRecord(
            id: id, userID: first.column("user_id")?.string, fields: fields,
            createdAt: Int64(created), idleExpiresAt: Int64(idle), absoluteExpiresAt: Int64(absolute)
        )
    }

    public func update(_ id: SessionID, set: [String: String], remove: [String]) async throws -> Bool {
        var exists: Bool?
        if !set.isEmpty {
            // One upsert for every field, guarded so a destroyed session is never brought back.
            let values = Array(repeating: "(?, ?)", count: set.count).joined(separator: ", ")
            var binds: [SQLiteData] = [.text(id.rawValue)]
            for (name, value) in set { binds += [.text(name), .text(value)] }
            binds.append(.text(id.rawValue))
            let inserted = try await self.connection.query(
                """
                INSERT INTO fleet_session_fields (session_id, name, value)
                SELECT ?, column1, column2 FROM (VALUES \(values))
                WHERE EXISTS (SELECT 1 FROM fleet_sessions WHERE id = ?)
                ON CONFLICT (session_id, name) DO UPDATE SET value = excluded.value
                RETURNING name
                """,
                binds
            )
            exists = !inserted.isEmpty
        }
        if !remove.isEmpty {
            let names = Array(repeating: "?", count: remove.count).joined(separator: ", ")
            _ = try await self.connection.query(
                "DELETE FROM fleet_session_fields WHERE session_id = ? AND name IN (\(names))",
                [.text(id.rawValue)] + remove.map(SQLiteData.text)
            )
        }
        if let exists { return exists }
        return try await !self.connection.query("SELECT 1 FROM fleet_sessions WHERE id = ?", [.text(id.rawValue)]).isEmpty
    }

    public func touch(_ id: SessionID, idleExpiresAt: Int64, now: Int64) async throws {
        _ = try await self.connection.query(
            "UPDATE fleet_sessions SET idle_expires_at = ? WHERE id = ? AND idle_expires_at < ?",
            [.integer(Int(idleExpiresAt)), .text(id.rawValue), .integer(Int(idleExpiresAt))]
        )
    }

    public func destroy(_ id: SessionID) async throws {
        _ = try await self.connection.query("DELETE FROM fleet_sessions WHERE id = ?", [.text(id.rawValue)])
    }

    public func destroyAll(userID: String) async throws -> Int {
        try await self.connection.query("DELETE FROM fleet_sessions WHERE user_id = ? RETURNING id", [.text(userID)]).count
    }
}
