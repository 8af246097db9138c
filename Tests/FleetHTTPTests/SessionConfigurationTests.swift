@testable import FleetHTTP
import FleetState
import Foundation
import Testing

@Suite struct SessionConfigurationTests {
    let secret = String(repeating: "a", count: 32)

    @Test func defaults() throws {
        let configuration = try FleetConfiguration(environment: [:])
        #expect(configuration.sessionSecrets.isEmpty)
        #expect(configuration.sessionIdleTimeout == .seconds(30 * 60))
        #expect(configuration.sessionAbsoluteTimeout == .seconds(24 * 3600))
        #expect(configuration.sessionCookieSecure == false)
        #expect(configuration.sessionKeyPrefix == "fleet:session:")
    }

    @Test func readsEveryVariable() throws {
        let configuration = try FleetConfiguration(environment: [
            "SESSION_SECRETS": "\(secret), \(String(repeating: "b", count: 40))", "SESSION_IDLE_TIMEOUT": "10m",
            "SESSION_ABSOLUTE_TIMEOUT": "8h", "SESSION_COOKIE_SECURE": "true", "SESSION_KEY_PREFIX": "shop:sess:",
        ])
        #expect(configuration.sessionSecrets == [secret, String(repeating: "b", count: 40)])
        #expect(configuration.sessionIdleTimeout == .seconds(600))
        #expect(configuration.sessionAbsoluteTimeout == .seconds(8 * 3600))
        #expect(configuration.sessionCookieSecure)
        #expect(configuration.sessionKeyPrefix == "shop:sess:")
    }

    @Test func aShortSecretIsNamedByPositionNotQuoted() {
        #expect(throws: ConfigurationError(
            variable: "SESSION_SECRETS", value: "<secret 2 of 2: 6 bytes>", accepted: "comma-separated secrets of at least 32 bytes each"
        )) {
            try FleetConfiguration(environment: ["SESSION_SECRETS": "\(secret),hunter"])
        }
    }

    @Test func redisWithoutSecretsIsAConfigurationError() {
        let error = #expect(throws: ConfigurationError.self) {
            try FleetConfiguration(environment: ["REDIS_URL": "redis://localhost:6379"])
        }
        #expect(error?.variable == "SESSION_SECRETS")
        #expect(throws: Never.self) {
            try FleetConfiguration(environment: ["REDIS_URL": "redis://localhost:6379", "SESSION_SECRETS": secret])
        }
    }

    @Test(arguments: [
        ["SESSION_IDLE_TIMEOUT": "soon"], ["SESSION_IDLE_TIMEOUT": "0s"], ["SESSION_ABSOLUTE_TIMEOUT": "10m"],
        ["SESSION_COOKIE_SECURE": "maybe"],
    ])
    func rejectsWhatDoesNotParse(environment: [String: String]) {
        let error = #expect(throws: ConfigurationError.self) {
            try FleetConfiguration(environment: environment)
        }
        #expect(error?.variable == environment.keys.first)
    }

    @Test func withoutSecretsEveryWorkerSharesOneGeneratedSecret() throws {
        let directory = NSTemporaryDirectory() + "fleet-config-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try FleetConfiguration(environment: ["FLEET_STATE_DIR": directory])
        let id = SessionID.random()
        let cookie = try configuration.sessionSigner().sign(id)
        #expect(try configuration.sessionSigner().verify(cookie) == id, "a second worker verifies the first one's cookie")
    }
}
