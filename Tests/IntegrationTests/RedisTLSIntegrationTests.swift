import FleetRedis
import Foundation
import Logging
import NIOSSL
import Testing

/// `rediss://` against a TLS-enabled server: set `REDIS_TLS_URL`, and
/// `REDIS_TLS_CA_FILE` when the server's certificate is not publicly trusted.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["REDIS_TLS_URL"] != nil, "set REDIS_TLS_URL to test TLS"))
struct RedisTLSIntegrationTests {
    @Test func commandsAndSubscriptionsOverTLS() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = try RedisClientConfiguration(url: environment["REDIS_TLS_URL"]!)
        #expect(configuration.connection.tls != nil)
        if let ca = environment["REDIS_TLS_CA_FILE"] {
            configuration.connection.tls?.trustRoots = .file(ca)
        }
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "fleet-redis-tls-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            let key = RedisTestServer.prefix() + "tls"
            try await redis.set(key, to: "secure")
            #expect(try await redis.getString(key) == "secure")
            let subscription = try await redis.subscribe(to: [key])
            try await redis.publish("over tls", to: key)
            for await message in subscription {
                #expect(message.text == "over tls")
                break
            }
            _ = try await redis.delete([key])
        }
    }
}
