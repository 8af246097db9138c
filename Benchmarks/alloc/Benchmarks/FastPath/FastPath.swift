import Benchmark
import FleetHTTP
import NIOCore

// Allocations (malloc calls) and instructions per keep-alive request through
// Fleet's HTTP/1 pipeline. One scaled iteration is one request: with the
// kilo scaling factor each sample is 1,000 requests, reported per request.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .instructions, .wallClock],
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    embedded("fast /hello", path: "/hello", expecting: "hello") { Fixture.fastRoutes() }
    embedded("fast /users/:id", path: "/users/42", expecting: "user42@example.com") { Fixture.fastRoutes() }
    embedded("fast /users/:id rate limited", path: "/users/42", expecting: "RateLimit: ") {
        Fixture.fastRoutes(limit: try Fixture.embeddedLimit())
    }

    // Only /hello is fast here, so /users/:id goes to the router; the fast
    // /hello on the same harness shows what the harness itself costs.
    asyncHarness("async harness: fast /hello", path: "/hello", expecting: "hello")
    asyncHarness("async harness: router /users/:id", path: "/users/42", expecting: "user42@example.com")
}

/// A fast-path request on an `EmbeddedChannel`; `expecting` is checked in the
/// response once, in the warm-up, before anything is measured.
private func embedded(_ name: String, path: String, expecting: String, routes: @escaping () throws -> FastRoutes) {
    let request = Fixture.request(path)
    let connection = PerThread<EmbeddedConnection>()
    Benchmark(name) { benchmark in
        let made = try connection.value {
            let made = try EmbeddedConnection(fastRoutes: try routes())
            let response = try made.response(to: request)
            guard response.hasPrefix("HTTP/1.1 200 OK\r\n"), response.contains(expecting) else {
                throw BenchmarkSetupError("\(name): unexpected response \(response)")
            }
            return made
        }
        for _ in benchmark.scaledIterations {
            blackHole(try made.send(request))
        }
    }
}

/// A request on a `NIOAsyncTestingChannel` with Hummingbird's handler running.
private func asyncHarness(_ name: String, path: String, expecting: String) {
    let request = Fixture.request(path)
    Benchmark(name) { (benchmark: Benchmark, connection: AsyncConnection) async throws in
        var reader = ResponseReader()
        for _ in benchmark.scaledIterations {
            try await connection.send(request, into: &reader)
        }
        blackHole(reader)
    } setup: {
        let connection = try await AsyncConnection(fastRoutes: Fixture.fastRoutes(users: false))
        let response = try await connection.response(to: request)
        guard response.hasPrefix("HTTP/1.1 200 OK\r\n"), response.contains(expecting) else {
            throw BenchmarkSetupError("\(name): unexpected response \(response)")
        }
        return connection
    }
}
