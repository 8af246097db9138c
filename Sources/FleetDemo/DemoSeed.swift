import Logging
import SQLiteNIO

/// Users for the demo to read, written straight into the embedded store before the fleet starts.
public enum DemoSeed {
    /// Creates `count` users (`user1@example.com`...) in the SQLite store under `stateDirectory`.
    /// - Returns: how many users the store holds afterwards.
    public static func users(count: Int, stateDirectory: String) async throws -> Int {
        let store = try await SQLiteUserStore.open(path: "\(stateDirectory)/demo.sqlite", connections: 1, logger: Logger(label: "fleet.demo.seed"))
        try await store.migrate()
        let connection = store.connections[0]
        // One statement for all of them: a recursive sequence, no round trip per user.
        _ = try await connection.query(
            """
            WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
            INSERT OR IGNORE INTO users (name, email) SELECT 'user' || n, 'user' || n || '@example.com' FROM seq
            """,
            [.integer(count)]
        )
        let total = try await connection.query("SELECT COUNT(*) AS total FROM users").first?.column("total")?.integer ?? 0
        try await connection.close()
        return total
    }
}
