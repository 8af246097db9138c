import FleetDemo
import FleetHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The storage backends the API tests run against: embedded SQLite always,
/// PostgreSQL when `DATABASE_URL` is set, which CI always does.
enum DemoBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var databaseURL: String? { ProcessInfo.processInfo.environment["DATABASE_URL"] }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// In CI PostgreSQL is required: a missing `DATABASE_URL` fails the postgres cases instead of skipping them.
    static var available: [DemoBackend] {
        databaseURL != nil || isCI ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { self.rawValue }

    func configuration(stateDirectory: String) throws -> FleetConfiguration {
        var configuration = FleetConfiguration()
        configuration.port = 0
        configuration.logLevel = .warning
        configuration.stateDirectory = stateDirectory
        if self == .postgres {
            guard let url = Self.databaseURL else { throw MissingServer(variable: "DATABASE_URL") }
            configuration.databaseURL = url
        }
        return configuration
    }
}

/// Runs `test` against the demo application on `backend`, with a fresh state directory.
func withDemo<Value: Sendable>(
    _ backend: DemoBackend,
    configure: (inout FleetConfiguration) -> Void = { _ in },
    _ test: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-demo-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = try backend.configuration(stateDirectory: directory)
    configure(&configuration)
    var logger = Logger(label: "fleet.demo.tests")
    logger.logLevel = .warning
    let app = try await DemoService.makeApplication(configuration: configuration, logger: logger)
    return try await app.test(.router, test)
}

/// A unique address, so tests sharing one PostgreSQL database never collide.
func uniqueEmail(_ prefix: String = "user") -> String {
    "\(prefix)-\(UUID().uuidString.lowercased())@example.com"
}

func jsonBody(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

func jsonObject(_ response: TestResponse) throws -> [String: Any] {
    let data = Data(String(buffer: response.body).utf8)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "body is not a JSON object: \(String(buffer: response.body))")
}

/// CI provides every server the tests need; a missing one fails the test instead of skipping it.
struct MissingServer: Error, CustomStringConvertible {
    let variable: String
    var description: String { "\(self.variable) is not set: CI must provide this server" }
}
