import Dispatch
@testable import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

/// The offload pool on its own: values come back, a full queue refuses at once,
/// a job whose task is cancelled while it waits never runs.
@Suite struct OffloadTests {
    func pool(threads: Int, queue: Int) -> Offload {
        var configuration = OffloadConfiguration()
        configuration.threads = threads
        configuration.queueLimit = queue
        return Offload(configuration: configuration)
    }

    /// Waits (at most 10 s) until the pool's load is `load`.
    func waitUntil(_ offload: Offload, queued: Int, running: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while offload.load != (queued, running) {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func runReturnsTheValueAndRethrows() async throws {
        let offload = self.pool(threads: 2, queue: 4)
        let (value, thread) = try await offload.run { (21 * 2, Thread.current.name) }
        #expect(value == 42)
        #expect(thread?.hasPrefix("TP-") == true, "on one of the pool's threads, not \(thread ?? "an unnamed one")")
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await offload.run { throw Failure() } }
        #expect(offload.load == (0, 0))
        try await offload.pool.shutdownGracefully()
    }

    @Test func aFullQueueRefusesAtOnce() async throws {
        let offload = self.pool(threads: 1, queue: 1)
        let gate = DispatchSemaphore(value: 0)
        // Never leave a pool thread blocked, or the pending `async let` would hang the test.
        defer { gate.signal() }
        async let first: Int = offload.run { gate.wait(); return 1 }
        try await self.waitUntil(offload, queued: 0, running: 1)
        async let second: Int = offload.run { 2 }
        try await self.waitUntil(offload, queued: 1, running: 1)
        await #expect(throws: OffloadQueueFull.self) { try await offload.run { 3 } }
        gate.signal()
        #expect(try await first == 1)
        #expect(try await second == 2)
        #expect(try await offload.run { 4 } == 4, "a slot frees when a job ends")
        try await offload.pool.shutdownGracefully()
    }

    @Test func aJobCancelledWhileQueuedNeverRuns() async throws {
        let offload = self.pool(threads: 1, queue: 2)
        let gate = DispatchSemaphore(value: 0)
        // Never leave a pool thread blocked, or the pending `async let` would hang the test.
        defer { gate.signal() }
        let ran = NIOLockedValueBox(false)
        async let first: Int = offload.run { gate.wait(); return 1 }
        try await self.waitUntil(offload, queued: 0, running: 1)
        let queued = Task { try await offload.run { ran.withLockedValue { $0 = true } } }
        try await self.waitUntil(offload, queued: 1, running: 1)
        queued.cancel()
        gate.signal()
        await #expect(throws: CancellationError.self) { try await queued.value }
        #expect(try await first == 1)
        #expect(ran.withLockedValue { $0 } == false)
        #expect(offload.load == (0, 0))
        try await offload.pool.shutdownGracefully()
    }

    @Test func aFullQueueIs503WithRetryAfter() async throws {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.get("/report") { _, _ -> String in
            throw OffloadQueueFull(queueLimit: 8, retryAfter: .seconds(2))
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await Application(router: router, logger: logger).test(.router) { client in
            let response = try await client.execute(uri: "/report", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.headers[.retryAfter] == "2")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
            #expect(body["type"] as? String == "urn:fleet:problem:overloaded")
            #expect(body["status"] as? Int == 503)
        }
    }

    @Test func sizesComeFromTheEnvironment() throws {
        let configuration = try FleetConfiguration(environment: ["OFFLOAD_THREADS": "3", "OFFLOAD_QUEUE": "0"])
        #expect(configuration.offload.threads == 3)
        #expect(configuration.offload.queueLimit == 0)
        #expect(FleetConfiguration().offload.threads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(throws: ConfigurationError(variable: "OFFLOAD_THREADS", value: "0", accepted: "an integer from 1 to 1024")) {
            try FleetConfiguration(environment: ["OFFLOAD_THREADS": "0"])
        }
        #expect(throws: ConfigurationError(variable: "OFFLOAD_QUEUE", value: "-1", accepted: "an integer from 0 to 1000000")) {
            try FleetConfiguration(environment: ["OFFLOAD_QUEUE": "-1"])
        }
    }
}
