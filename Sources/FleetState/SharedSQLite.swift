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
        for _ in 0..<max(1, count) {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = NORMAL")
            opened.append(connection)
        }
        return opened
    }
}
