import Testing

@testable import FleetState

/// Each algorithm's arithmetic, on the memory backend with a clock moved by hand.
@Suite struct RateLimitAlgorithmTests {
    let time = ManualClock()
    var backend: RateLimitMemoryBackend { RateLimitMemoryBackend(clock: self.time.clock) }

    func check(_ backend: RateLimitMemoryBackend, _ policy: RateLimitPolicy, key: String = "client") -> RateLimitDecision {
        backend.acquireNow([RateLimitCheck(policy: policy, key: key)])
    }

    @Test func fixedWindowAllowsTheLimitThenWaitsForTheWindowToEnd() {
        let policy = RateLimitPolicy(limit: 3, window: .seconds(10))
        let backend = self.backend
        let first = self.check(backend, policy)
        #expect(first == RateLimitDecision(isAllowed: true, index: 0, remaining: 2, resetMilliseconds: 10_000, retryAfterMilliseconds: 0))
        self.time.advance(.seconds(4))
        #expect(backend.allowed(5, policy) == 2)
        let rejected = self.check(backend, policy)
        #expect(!rejected.isAllowed)
        #expect(rejected.remaining == 0)
        #expect(rejected.retryAfterMilliseconds == 6_000, "the window started at the first request")
        self.time.advance(.milliseconds(5_999))
        #expect(!self.check(backend, policy).isAllowed)
        self.time.advance(.milliseconds(1))
        #expect(self.check(backend, policy) == RateLimitDecision(isAllowed: true, index: 0, remaining: 2, resetMilliseconds: 10_000, retryAfterMilliseconds: 0))
    }

    @Test func keysAndPoliciesCountApart() {
        let policy = RateLimitPolicy(limit: 2, window: .seconds(10))
        let other = RateLimitPolicy(name: "other", limit: 2, window: .seconds(10))
        let backend = self.backend
        #expect(backend.allowed(3, policy, key: "a") == 2)
        #expect(backend.allowed(3, policy, key: "b") == 2)
        #expect(backend.allowed(3, other, key: "a") == 2)
    }

    @Test func slidingWindowWeighsThePreviousWindow() {
        let policy = RateLimitPolicy(limit: 10, window: .seconds(10), algorithm: .slidingWindow)
        let backend = self.backend
        // Start at a window boundary so the arithmetic below is round.
        self.time.advance(.seconds(10))
        #expect(backend.allowed(12, policy) == 10)
        // 30% into the next window, 70% of the previous 10 still count: 7, so 3 fit.
        self.time.advance(.seconds(13))
        #expect(backend.allowed(5, policy) == 3)
        let rejected = self.check(backend, policy)
        #expect(!rejected.isAllowed)
        // Used 3 + ceil(10 * 7/10) = 10. One more fits once the previous weighs 6: at 40%, 1 s later.
        #expect(rejected.retryAfterMilliseconds == 1_000)
        self.time.advance(.milliseconds(999))
        #expect(!self.check(backend, policy).isAllowed)
        self.time.advance(.milliseconds(1))
        #expect(self.check(backend, policy).isAllowed)
    }

    @Test func slidingWindowRetryLandsInTheNextWindowWhenThisOneIsFull() {
        let policy = RateLimitPolicy(limit: 4, window: .seconds(10), algorithm: .slidingWindow)
        let backend = self.backend
        self.time.advance(.seconds(12))  // 2 s into a window
        #expect(backend.allowed(4, policy) == 4)
        let rejected = self.check(backend, policy)
        // 8 s to the next window, where 4 * (10 - e)/10 + 1 <= 4 once e >= 2.5 s.
        #expect(rejected.retryAfterMilliseconds == 10_500)
        self.time.advance(.milliseconds(10_499))
        #expect(!self.check(backend, policy).isAllowed)
        self.time.advance(.milliseconds(1))
        #expect(self.check(backend, policy).isAllowed)
    }

    @Test func gcraAllowsABurstOfTheLimitThenOneEveryInterval() {
        let policy = RateLimitPolicy(limit: 5, window: .seconds(10), algorithm: .gcra)
        let backend = self.backend
        #expect(backend.allowed(8, policy) == 5)
        let rejected = self.check(backend, policy)
        #expect(rejected.retryAfterMilliseconds == 2_000, "one every 10 s / 5")
        #expect(rejected.resetMilliseconds == 10_000)
        self.time.advance(.milliseconds(1_999))
        #expect(!self.check(backend, policy).isAllowed)
        self.time.advance(.milliseconds(1))
        let next = self.check(backend, policy)
        #expect(next.isAllowed)
        #expect(next.remaining == 0)
        self.time.advance(.seconds(10))
        #expect(backend.allowed(8, policy) == 5, "a full window later, the whole burst is back")
    }

    @Test func blockDurationRefusesPastTheWindow() {
        let policy = RateLimitPolicy(limit: 2, window: .seconds(1), blockDuration: .seconds(30))
        let backend = self.backend
        #expect(backend.allowed(3, policy) == 2)
        self.time.advance(.seconds(2))
        let blocked = self.check(backend, policy)
        #expect(!blocked.isAllowed, "the window ended, the block did not")
        #expect(blocked.retryAfterMilliseconds == 28_000)
        self.time.advance(.seconds(28))
        #expect(self.check(backend, policy).isAllowed)
    }

    @Test func aUnionTakesNothingWhenOneCheckRejects() {
        let perIP = RateLimitPolicy(name: "ip", limit: 10, window: .seconds(60))
        let perUser = RateLimitPolicy(name: "user", limit: 2, window: .seconds(60))
        let backend = self.backend
        let union = [RateLimitCheck(policy: perIP, key: "10.0.0.1"), RateLimitCheck(policy: perUser, key: "ada")]
        let first = backend.acquireNow(union)
        #expect(first.isAllowed)
        #expect(first.index == 1 && first.remaining == 1, "reports the check with the fewest points left")
        #expect(backend.acquireNow(union).isAllowed)
        for _ in 0..<5 {
            let rejected = backend.acquireNow(union)
            #expect(!rejected.isAllowed && rejected.index == 1)
        }
        // Seven requests, five refused by the user limit: the IP spent only two.
        #expect(self.check(backend, perIP, key: "10.0.0.1").remaining == 7)
    }

    @Test func aTimeFromBeforeAClockRestartCountsAsNoState() {
        let policy = RateLimitPolicy(limit: 1, window: .seconds(10), algorithm: .gcra)
        let stale = RateLimitCell(time: 1_000_000_000, count: 0, previous: 0, blockedUntil: 0)
        #expect(stale.check(policy, cost: 1, now: 5_000).isAllowed)
        let fixed = RateLimitPolicy(limit: 1, window: .seconds(10))
        #expect(RateLimitCell(time: 1_000_000_000, count: 1, previous: 0, blockedUntil: 0).check(fixed, cost: 1, now: 5_000).isAllowed)
    }
}
