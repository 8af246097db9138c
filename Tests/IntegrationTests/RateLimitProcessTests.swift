import Foundation
import NIOCore
import Testing

/// The rate limit as a fleet enforces it: real `fleet serve` processes sharing
/// one backend, real sockets, concurrent clients.
@Suite(.serialized) struct RateLimitProcessTests {
    static let algorithms = ["fixed-window", "sliding-window", "gcra"]

    func stateDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fleet-rl-\(UUID().uuidString)").path
    }

    static func get(_ headers: String = "") -> String {
        "GET /users?limit=1 HTTP/1.1\r\nHost: x\r\n\(headers)Connection: close\r\n\r\n"
    }

    /// Starts one process per environment and returns them with their ports.
    func serve(_ environments: [[String: String]]) async throws -> [(process: FleetProcess, port: Int)] {
        var started: [(FleetProcess, Int)] = []
        for environment in environments {
            let process = try FleetProcess(["serve"], environment: environment)
            started.append((process, try await process.listeningPort()))
        }
        return started
    }

    func serve(_ count: Int, _ environment: [String: String]) async throws -> [(process: FleetProcess, port: Int)] {
        try await self.serve(Array(repeating: environment, count: count))
    }

    /// Sends `requests` at once, spread over `ports`, each on its own connection; returns the statuses.
    func burst(_ requests: [String], ports: [Int]) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, request) in requests.enumerated() {
                let port = ports[index % ports.count]
                group.addTask { try await RawHTTPConnection.connect(port: port).exchange(sending: request).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func stop(_ servers: [(process: FleetProcess, port: Int)]) async throws {
        for server in servers {
            server.process.signal(SIGTERM)
            #expect(try await server.process.exitStatus() == 0)
        }
    }

    /// 30 concurrent requests through two processes, one per environment, limited to 10 per minute.
    func expectExactlyTheLimitPasses(_ environments: [[String: String]], algorithm: String) async throws {
        let limit = ["RATE_LIMIT": "10/60s", "RATE_LIMIT_ALGORITHM": algorithm]
        let servers = try await self.serve(environments.map { $0.merging(limit) { $1 } })
        let statuses = try await self.burst(Array(repeating: Self.get(), count: 30), ports: servers.map(\.port))
        #expect(statuses.filter { $0 == 200 }.count == 10, "\(algorithm): \(statuses.sorted())")
        #expect(statuses.filter { $0 == 429 }.count == 20, "\(algorithm): \(statuses.sorted())")
        try await self.stop(servers)
    }

    @Test(arguments: Self.algorithms)
    func embeddedTwoProcessesShareOneLimit(algorithm: String) async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": ""]
        try await self.expectExactlyTheLimitPasses([environment, environment], algorithm: algorithm)
    }

    /// Leases on: a busy client's points are taken in batches, never beyond the limit. Per hour,
    /// so GCRA lets nothing more through while the test runs (one point every 18 s).
    @Test(.enabled(if: RedisTestServer.enabled, "needs REDIS_URL"), arguments: Self.algorithms)
    func redisLeasesNeverLetTwoProcessesPassMoreThanTheLimit(algorithm: String) async throws {
        let url = try #require(RedisTestServer.url, "CI=true but REDIS_URL is not set")
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = [
            "PORT": "0", "DATABASE_URL": "", "REDIS_URL": url, "RATE_LIMIT_PREFIX": RedisTestServer.prefix(),
            "RATE_LIMIT": "200/1h", "RATE_LIMIT_ALGORITHM": algorithm, "RATE_LIMIT_LEASE": "100",
        ]
        let servers = try await self.serve([
            environment.merging(["FLEET_STATE_DIR": state + "/a"]) { $1 }, environment.merging(["FLEET_STATE_DIR": state + "/b"]) { $1 },
        ])
        var statuses: [Int] = []
        for _ in 0..<5 { statuses += try await self.burst(Array(repeating: Self.get(), count: 60), ports: servers.map(\.port)) }
        let passed = statuses.filter { $0 == 200 }.count
        // Points a process leased and had no request left to spend on: at most a sixteenth of what was left, per process.
        #expect(passed <= 200 && passed >= 200 - 2 * 200 / 16, "\(algorithm): \(passed) of 300 passed a limit of 200")
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 })
        try await self.stop(servers)
    }

    @Test(.enabled(if: RedisTestServer.enabled, "needs REDIS_URL"), arguments: Self.algorithms)
    func redisTwoProcessesShareOneLimit(algorithm: String) async throws {
        let url = try #require(RedisTestServer.url, "CI=true but REDIS_URL is not set")
        // Each process has its own state directory: only Redis is shared.
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["PORT": "0", "DATABASE_URL": "", "REDIS_URL": url, "RATE_LIMIT_PREFIX": RedisTestServer.prefix()]
        try await self.expectExactlyTheLimitPasses(
            [environment.merging(["FLEET_STATE_DIR": state + "/a"]) { $1 }, environment.merging(["FLEET_STATE_DIR": state + "/b"]) { $1 }],
            algorithm: algorithm
        )
    }

    @Test func forgedForwardingHeadersDoNotChangeTheKey() async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let servers = try await self.serve(1, ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "RATE_LIMIT": "5/60s"])
        let forged = (0..<12).map { Self.get("X-Forwarded-For: 198.51.100.\($0)\r\nX-Real-IP: 198.51.100.\($0)\r\n") }
        let statuses = try await self.burst(forged, ports: servers.map(\.port))
        #expect(statuses.filter { $0 == 200 }.count == 5, "every forged address is still 127.0.0.1: \(statuses.sorted())")
        try await self.stop(servers)
    }

    @Test func healthAndHelloAreNeverLimited() async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let servers = try await self.serve(1, ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "RATE_LIMIT": "1/60s"])
        let probes = (0..<10).flatMap { _ in ["GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"] }
        #expect(try await self.burst(probes, ports: servers.map(\.port)).allSatisfy { $0 == 200 })
        #expect(try await self.burst([Self.get(), Self.get()], ports: servers.map(\.port)).sorted() == [200, 429])
        try await self.stop(servers)
    }

    @Test func aTrustedProxyForwardsTheClientsAddress() async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let servers = try await self.serve(1, [
            "PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "RATE_LIMIT": "2/60s", "TRUSTED_PROXIES": "127.0.0.1/32",
        ])
        let clients = (0..<6).map { Self.get("X-Forwarded-For: 198.51.100.\($0)\r\n") }
        #expect(try await self.burst(clients, ports: servers.map(\.port)).allSatisfy { $0 == 200 }, "six clients behind the proxy, one request each")
        let oneClient = Array(repeating: Self.get("X-Forwarded-For: 203.0.113.1, 198.51.100.0\r\n"), count: 3)
        let statuses = try await self.burst(oneClient, ports: servers.map(\.port))
        #expect(statuses.sorted() == [200, 429, 429], "198.51.100.0 had spent one of two already")
        try await self.stop(servers)
    }

    @Test(.enabled(if: RedisTestServer.enabled && RateLimitRedisServer.executable != nil, "needs REDIS_URL and redis-server"))
    func whenRedisDiesTheInsuranceLimiterAnswers() async throws {
        let redis = try await RateLimitRedisServer.start()
        defer { redis.kill() }
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let servers = try await self.serve(1, ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": redis.url, "RATE_LIMIT": "5/60s"])
        let port = servers[0].port
        for _ in 0..<2 {
            #expect(try await RawHTTPConnection.connect(port: port).exchange(sending: Self.get()).status == 200)
        }
        redis.kill()
        var statuses: [Int] = []
        for _ in 0..<8 {
            statuses.append(try await RawHTTPConnection.connect(port: port).exchange(sending: Self.get()).status)
        }
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429], "the insurance limiter, with the whole limit for one process")
        try await self.stop(servers)
    }
}

/// A redis-server of the test's own, killed by its pid to stand for a crash.
struct RateLimitRedisServer {
    static let executable = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    let process: Process
    let url: String

    static func start() async throws -> RateLimitRedisServer {
        let port = Int.random(in: 30_000..<40_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-rl-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable!)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let server = RateLimitRedisServer(process: process, url: "redis://127.0.0.1:\(port)")
        let up = await eventually(seconds: 5) {
            guard let connection = try? await RawHTTPConnection.connect(port: port) else { return false }
            try? await connection.channel.channel.close()
            return true
        }
        #expect(up, "redis-server answers on \(port)")
        return server
    }

    func kill() {
        guard self.process.isRunning else { return }
        Foundation.kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
    }
}
