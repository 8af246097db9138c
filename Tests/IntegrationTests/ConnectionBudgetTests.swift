import Foundation
import Testing

/// The start-up log weighs instances × pool size against PostgreSQL's own `max_connections`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DATABASE_URL"] != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
struct ConnectionBudgetTests {
    func startupLines(workers: Int, poolMax: Int) async throws -> [[String: Any]] {
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "CI must provide DATABASE_URL")
        let server = try FleetProcess(["serve"], environment: ["PORT": "0", "DATABASE_URL": url, "FLEET_WORKERS": "\(workers)", "DB_POOL_MAX": "\(poolMax)"])
        _ = try await server.listeningPort()
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)
        return server.jsonLines.filter { ($0["message"] as? String)?.hasPrefix("database connection budget") == true }
    }

    @Test func aFleetThatFitsIsLoggedAtInfo() async throws {
        let lines = try await self.startupLines(workers: 2, poolMax: 5)
        let line = try #require(lines.first)
        #expect(line["level"] as? String == "info")
        #expect(line["db.connections_needed"] as? String == "10")
        let max = try #require((line["db.max_connections"] as? String).flatMap(Int.init))
        #expect(max > 10, "read from the server's own max_connections")
    }

    @Test func aFleetThatDoesNotFitIsAWarning() async throws {
        let lines = try await self.startupLines(workers: 100, poolMax: 50)
        let line = try #require(lines.first)
        #expect(line["level"] as? String == "warning")
        #expect(line["db.connections_needed"] as? String == "5000")
        #expect((line["message"] as? String)?.contains("exceeded") == true)
    }
}
