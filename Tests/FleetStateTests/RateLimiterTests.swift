import Atomics
import Logging
import Testing

@testable import FleetState

/// The limiter around a backend: pre-block, insurance, fail open and closed.
@Suite struct RateLimiterTests {
    /// A backend that counts its calls and fails while told to.
    final class ProbeBackend: RateLimitBackend {
        let inner: RateLimitMemoryBackend
        let calls = ManagedAtomic<Int>(0)
        let failing = ManagedAtomic<Bool>(false)

        init(clock: RateLimitClock) {
            self.inner = RateLimitMemoryBackend(clock: clock)
        }

        func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision {
            self.calls.wrappingIncrement(ordering: .relaxed)
            if self.failing.load(ordering: .relaxed) { throw FleetStateError(.backendUnavailable, "down") }
            return self.inner.acquireNow(checks)
        }
    }

    let time = ManualClock()
    let policy = RateLimitPolicy(limit: 4, window: .seconds(60))

    func limiter(_ backend: ProbeBackend, _ customize: (inout RateLimiterConfiguration) -> Void = { _ in }) -> RateLimiter {
        var configuration = RateLimiterConfiguration()
        customize(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return RateLimiter(backend: backend, configuration: configuration, clock: self.time.clock, logger: logger)
    }

    func attempts(_ limiter: RateLimiter, _ count: Int) async throws -> [Bool?] {
        var results: [Bool?] = []
        for _ in 0..<count {
            results.append(try await limiter.acquire([RateLimitCheck(policy: self.policy, key: "attacker")])?.isAllowed)
        }
        return results
    }

    @Test func aRejectedKeyIsRefusedWithoutAskingTheBackendUntilItMayRetry() async throws {
        let backend = ProbeBackend(clock: self.time.clock)
        let limiter = self.limiter(backend)
        #expect(try await self.attempts(limiter, 5) == [true, true, true, true, false])
        #expect(try await self.attempts(limiter, 100).allSatisfy { $0 == false })
        #expect(backend.calls.load(ordering: .relaxed) == 5, "after the first rejection, no round trip")
        self.time.advance(.seconds(60))
        #expect(try await self.attempts(limiter, 1) == [true])
        #expect(backend.calls.load(ordering: .relaxed) == 6)
    }

    @Test func hasBlockedKeysHoldsOnlyWhileABlockLasts() async throws {
        let limiter = self.limiter(ProbeBackend(clock: self.time.clock))
        #expect(!limiter.hasBlockedKeys)
        _ = try await self.attempts(limiter, 5)
        #expect(limiter.hasBlockedKeys, "the fifth attempt was refused: the key waits for its window")
        self.time.advance(.seconds(60))
        #expect(!limiter.hasBlockedKeys)
        _ = try await self.attempts(limiter, 5)
        #expect(limiter.hasBlockedKeys, "a block after the last one ended and was cleared holds again")
    }

    @Test func withoutPreBlockEveryRequestReachesTheBackend() async throws {
        let backend = ProbeBackend(clock: self.time.clock)
        let limiter = self.limiter(backend) { $0.preBlock = false }
        _ = try await self.attempts(limiter, 10)
        #expect(backend.calls.load(ordering: .relaxed) == 10)
    }

    @Test func theInsuranceLimiterTakesOverWithThisProcessesShare() async throws {
        let backend = ProbeBackend(clock: self.time.clock)
        backend.failing.store(true, ordering: .relaxed)
        let limiter = self.limiter(backend) { $0.instances = 2 }
        #expect(try await self.attempts(limiter, 3) == [true, true, false], "4 shared by 2 processes: 2 here")
        #expect(backend.calls.load(ordering: .relaxed) == 1, "after a failure the backend rests for a second")
        backend.failing.store(false, ordering: .relaxed)
        self.time.advance(.seconds(61))
        #expect(try await self.attempts(limiter, 1) == [true])
        #expect(backend.calls.load(ordering: .relaxed) == 2, "and is asked again afterwards")
    }

    @Test func failOpenPassesAndFailClosedRefuses() async throws {
        let backend = ProbeBackend(clock: self.time.clock)
        backend.failing.store(true, ordering: .relaxed)
        #expect(try await self.attempts(self.limiter(backend) { $0.onFailure = .open }, 10).allSatisfy { $0 == nil })
        await #expect(throws: FleetStateError.self) {
            _ = try await self.attempts(self.limiter(backend) { $0.onFailure = .closed }, 1)
        }
    }
}
