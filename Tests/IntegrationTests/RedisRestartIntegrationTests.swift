import FleetRedis
import Foundation
import Logging
import Testing

/// A private redis-server this test starts, stops and starts again on the same port.
struct RedisPrivateServer: Sendable {
    static let executable = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    let port = Int.random(in: 20_000..<30_000)
    /// How the server persists; default nothing, so a restart starts empty.
    var persistence = ["--save", "", "--appendonly", "no"]
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-redis-\(UUID().uuidString)")

    var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts the server in the foreground as a child, and waits until it answers.
    func start() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable!)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory.path] + persistence
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        #expect(await eventually(seconds: 5) { await answers() })
    }

    /// Stops the server with SHUTDOWN (a signal may be blocked in the child) and waits until it is gone.
    func stop() async {
        if let connection = try? await connect() {
            _ = try? await connection.send("SHUTDOWN", "NOSAVE")
            await connection.close()
        }
        #expect(await eventually(seconds: 5) { await !answers() })
    }

    private func connect() async throws -> RedisConnection {
        var configuration = try RedisConnectionConfiguration(url: url)
        configuration.connectTimeout = .seconds(1)
        return try await RedisConnection.connect(configuration: configuration, logger: Logger(label: "fleet-redis-private"))
    }

    private func answers() async -> Bool {
        guard let connection = try? await connect() else { return false }
        await connection.close()
        return true
    }
}

@Suite(.enabled(if: RedisTestServer.enabled && RedisPrivateServer.executable != nil, "needs REDIS_URL and redis-server"))
struct RedisRestartIntegrationTests {
    @Test func clientAndSubscriptionsRecoverWhenTheServerRestarts() async throws {
        let server = RedisPrivateServer()
        try await server.start()
        defer { try? FileManager.default.removeItem(at: server.directory) }
        var configuration = try RedisClientConfiguration(url: server.url)
        configuration.reconnectInitialDelay = .milliseconds(20)
        configuration.reconnectMaximumDelay = .milliseconds(200)
        configuration.leaseTimeout = .seconds(1)
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "fleet-redis-restart-test"))
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await redis.run() }
                defer { group.cancelAll() }
                #expect(await eventually { (try? await redis.ping()) != nil })
                let subscription = try await redis.subscribe(to: ["restart"])
                let inbox = RedisInbox()
                async let consumed: Void = inbox.consume(subscription)

                await server.stop()
                await expectRedisError(.leaseTimeout) { try await redis.ping() }
                try await server.start()

                #expect(await eventually { (try? await redis.ping()) != nil })
                #expect(await eventually { ((try? await redis.publish("back", to: "restart")) ?? 0) > 0 && inbox.texts.contains("back") })
                subscription.cancel()
                await consumed
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
