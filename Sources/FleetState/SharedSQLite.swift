import Foundation
import Logging
import SQLiteNIO

/// Connections to an SQLite file that every worker process of the machine
/// opens: WAL mode, so readers never block and are never blocked, and a busy
/// timeout, so a writer waits for another worker's write instead of failing
/// with SQLITE_BUSY.
public enum SharedSQLite {
    /// Opens `count` connections to the file at `path`, creating it and its directory.
    /// - Parameters:
    ///   - path: the database file.
    ///   - count: how many connections; at least one is opened.
    ///   - logger: where SQLite logs.
    public static func open(path: String, count: Int, logger: Logger) async throws -> [SQLiteConnection] {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var opened: [SQLiteConnection] = []
        do {
            for _ in 0..<max(1, count) {
                let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                opened.append(connection)
                _ = try await connection.query("PRAGMA busy_timeout = 5000")
                try await self.enableWAL(connection)
                _ = try await connection.query("PRAGMA synchronous = NORMAL")
            }
        } catch {
            // SQLite asserts on a connection dropped unclosed; close what opened before failing.
            for connection in opened { try? await connection.close() }
            throw error
        }
        return opened
    }

    /// Runs schema statements in one `BEGIN IMMEDIATE` transaction: it takes the
    /// write lock first, so workers starting together create the schema once.
    public static func createSchema(_ statements: [String], on connection: SQLiteConnection) async throws {
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            for statement in statements { _ = try await connection.query(statement) }
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    /// Switching to WAL takes an exclusive lock that the busy timeout does not
    /// wait for: when workers start together on a new file, one may see
    /// SQLITE_BUSY here. Retry for up to 5 s, as the busy timeout would.
    private static func enableWAL(_ connection: SQLiteConnection) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            do {
                _ = try await connection.query("PRAGMA journal_mode = WAL")
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
