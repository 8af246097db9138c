import Foundation
import Logging
import SQLiteNIO
import Testing

@testable import FleetDemo

/// The credit job's ledger (the demo's migration 2) on each store: a key delivered
/// twice credits once, and the row counts both deliveries.
@Suite struct JobLedgerTests {
    @Test(arguments: DemoBackend.available)
    func aRedeliveredKeyCreditsOnce(backend: DemoBackend) async throws {
        try await Self.withLedger(backend) { (ledger: any JobLedger) async throws in
            let account = "acct-\(UUID().uuidString)"
            let key = "credit-\(UUID().uuidString)"
            #expect(try await ledger.credit(key: key, account: account, amount: 7) == 1)
            #expect(try await ledger.credit(key: key, account: account, amount: 7) == 2, "the redelivery is counted, not credited")
            #expect(try await ledger.credit(key: "\(key)-other", account: account, amount: 5) == 1)
            #expect(try await ledger.balance(account: account) == 12)
            #expect(try await ledger.balance(account: "\(account)-none") == 0)
        }
    }

    /// Runs `body` on a migrated store of `backend`; migrating twice, as every worker
    /// does at start, applies each step once.
    static func withLedger(_ backend: DemoBackend, _ body: (any JobLedger) async throws -> Void) async throws {
        var logger = Logger(label: "fleet.tests.ledger")
        logger.logLevel = .warning
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-ledger-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let store = try await SQLiteUserStore.open(path: "\(directory)/demo.sqlite", connections: 2, logger: logger)
            try await store.migrate()
            try await store.migrate()
            do {
                try await body(store)
            } catch {
                for connection in store.connections { try? await connection.close() }
                throw error
            }
            for connection in store.connections { try await connection.close() }
        case .postgres:
            guard let url = DemoBackend.databaseURL else { throw MissingServer(variable: "DATABASE_URL") }
            let store = PostgresUserStore(configuration: try DatabaseURL.configuration(url), poolMax: 2, logger: logger)
            let run = Task { await store.run() }
            defer { run.cancel() }
            try await store.migrate()
            try await store.migrate()
            try await body(store)
        }
    }
}
