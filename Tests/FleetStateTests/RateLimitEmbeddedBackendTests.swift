import Foundation
import Testing

@testable import FleetState

/// The table shared by the processes of one machine, through two mappings of one file.
@Suite struct RateLimitEmbeddedBackendTests {
    let time = ManualClock()

    func directory() -> String {
        NSTemporaryDirectory() + "fleet-rl-\(UUID().uuidString)"
    }

    @Test func twoMappingsShareOneCount() async throws {
        let directory = self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let backends = try (0..<2).map { _ in try RateLimitEmbeddedBackend(directory: directory, capacity: 1024, clock: self.time.clock) }
        for algorithm in RateLimitAlgorithm.all {
            let policy = RateLimitPolicy(name: "\(algorithm)", limit: 50, window: .seconds(60), algorithm: algorithm)
            let allowed = await withTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    let backend = backends[index % 2]
                    group.addTask {
                        (0..<20).filter { _ in backend.acquireNow([RateLimitCheck(policy: policy, key: "shared")]).isAllowed }.count
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(allowed == 50, "\(algorithm): 160 attempts through two mappings, exactly the limit allowed")
        }
    }

    @Test func aFullStripeGivesAnExpiredSlotToANewKeyAndKeepsTheLiveOne() throws {
        let directory = self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 128 slots: two per stripe.
        let backend = try RateLimitEmbeddedBackend(directory: directory, capacity: 128, clock: self.time.clock)
        let short = RateLimitPolicy(name: "short", limit: 1, window: .seconds(1))
        let long = RateLimitPolicy(name: "long", limit: 1, window: .seconds(60))
        let expiring = RateLimitCheck(policy: short, key: "expiring")
        let stripe = expiring.hash & UInt64(RateLimitEmbeddedBackend.stripes - 1)
        var sameStripe = (0...).lazy.map { RateLimitCheck(policy: long, key: "key-\($0)") }
            .filter { $0.hash & UInt64(RateLimitEmbeddedBackend.stripes - 1) == stripe }.makeIterator()
        let live = sameStripe.next()!
        let newcomer = sameStripe.next()!
        #expect(backend.acquireNow([expiring]).isAllowed)
        #expect(backend.acquireNow([live]).isAllowed)
        self.time.advance(.seconds(2))
        #expect(backend.acquireNow([newcomer]).isAllowed, "the stripe is full, but one slot has expired")
        #expect(!backend.acquireNow([live]).isAllowed, "the live key kept its slot and its count")
        #expect(!backend.acquireNow([newcomer]).isAllowed, "the newcomer kept the expired slot it took")
    }

    @Test func aUnionAcrossStripesTakesNothingWhenOneRejects() throws {
        let directory = self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let backend = try RateLimitEmbeddedBackend(directory: directory, capacity: 1024, clock: self.time.clock)
        let perIP = RateLimitPolicy(name: "ip", limit: 10, window: .seconds(60))
        let perUser = RateLimitPolicy(name: "user", limit: 1, window: .seconds(60), algorithm: .gcra)
        let union = [RateLimitCheck(policy: perIP, key: "10.0.0.1"), RateLimitCheck(policy: perUser, key: "ada")]
        #expect(backend.acquireNow(union).isAllowed)
        for _ in 0..<3 { #expect(!backend.acquireNow(union).isAllowed) }
        #expect(backend.acquireNow([union[0]]).remaining == 8)
    }
}
