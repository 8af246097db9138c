import FleetHTTP
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

@testable import FleetDemo

/// PostgreSQL that does not answer: requests get a 503 problem quickly instead
/// of waiting for a pool connection that never comes.
@Suite struct DatabaseGateTests {
    /// A port nothing listens on: bound, then closed, so a connect is refused (a stopped server).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else { throw POSIXError(.EADDRINUSE) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func elapsed(_ body: () async throws -> Void) async -> (Duration, (any Error)?) {
        let start = ContinuousClock.now
        do {
            try await body()
            return (ContinuousClock.now - start, nil)
        } catch {
            return (ContinuousClock.now - start, error)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aStoppedDatabaseIsA503WithinTheTimeoutThenAtOnce() async throws {
        let configuration = PostgresClient.Configuration(
            host: "127.0.0.1", port: try Self.closedPort(), username: "fleet", password: nil, database: "fleet", tls: .disable
        )
        var logger = Logger(label: "fleet.tests.gate")
        logger.logLevel = .critical
        let store = PostgresUserStore(configuration: configuration, poolMax: 2, timeout: .milliseconds(300), logger: logger)
        let run = Task { await store.run() }
        defer { run.cancel() }

        let (first, firstError) = await Self.elapsed { _ = try await store.user(id: 1) }
        let problem = try #require(firstError as? Problem, "got \(String(describing: firstError))")
        #expect(problem.status == .serviceUnavailable)
        #expect(problem.type == "urn:fleet:problem:dependency-unavailable")
        #expect(problem.headers[.retryAfter] == "1")
        #expect(first >= .milliseconds(300) && first < .seconds(2), "the first call waits for its deadline, not for ever: \(first)")

        // The gate is open now: the next calls fail without waiting for the pool.
        let (second, secondError) = await Self.elapsed { _ = try await store.list(after: 0, limit: 5) }
        #expect((secondError as? Problem)?.status == .serviceUnavailable)
        #expect(second < .milliseconds(100), "an open gate answers at once: \(second)")
    }

    /// A bad query or a cancelled request must not shut the gate on everyone.
    @Test func queryErrorsAndCancellationDoNotMeanDown() {
        #expect(!DatabaseGate.meansDown(UserStoreError.duplicateEmail))
        #expect(!DatabaseGate.meansDown(CancellationError()))
    }
}
