import FleetRedis

/// Rate-limit state in Redis, for a fleet of many machines: each check of a
/// request and its update run as one Lua script (`EVALSHA`), atomically.
///
/// A key is stored as `<prefix>{<key>}:<policy>`: the hash tag puts every
/// policy of one key in the same cluster slot, so a union of policies over
/// one key (a burst and a sustained limit) works on Redis Cluster. A union
/// over different keys (IP and user) needs them on one node: plain Redis,
/// or keys that share a hash tag.
public struct RateLimitRedisBackend: RateLimitBackend {
    private let redis: any RedisCommandExecutor
    private let prefix: String

    /// - Parameters:
    ///   - redis: a running client (or one connection).
    ///   - prefix: put before every key, to share one Redis among apps. Default `fleet:rl:`.
    public init(redis: any RedisCommandExecutor, prefix: String = "fleet:rl:") {
        self.redis = redis
        self.prefix = prefix
    }

    public func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision {
        try await self.run(checks, leasing: .off).decision
    }

    /// Runs the script; `spending: false` takes no points for the request itself, only the lease.
    private func run(
        _ checks: [RateLimitCheck], leasing: RateLimitLeasing, refund: RateLimitRefund? = nil, spending: Bool = true
    ) async throws -> RateLimitGrant {
        var keys: [String] = []
        var arguments: [String] = []
        keys.reserveCapacity(checks.count)
        arguments.reserveCapacity(checks.count * 5 + 4)
        for check in checks {
            keys.append("\(self.prefix){\(check.key)}:\(check.policy.name)")
            arguments.append(String(check.policy.algorithm.base.rawValue))
            arguments.append(String(check.policy.limit))
            arguments.append(String(check.policy.windowMilliseconds))
            arguments.append(String(check.policy.blockMilliseconds))
            arguments.append(spending ? String(check.cost) : "0")
        }
        if leasing.isOn || refund != nil {
            arguments.append(String(leasing.maxPoints))
            arguments.append(String(leasing.share))
        }
        if let refund {
            arguments.append(String(refund.points))
            arguments.append(String(refund.window))
        }
        let reply: RESPValue
        do {
            reply = try await self.redis.run(RateLimitScript.acquire, keys: keys, arguments: arguments)
        } catch {
            throw FleetStateError(.backendUnavailable, "the rate limit script failed on Redis", underlying: error)
        }
        guard let values = reply.array, values.count == 7,
            let allowed = values[0].int, let index = values[1].int, let remaining = values[2].int,
            let reset = values[3].int, let retry = values[4].int, let leased = values[5].int, let window = values[6].int,
            (1...checks.count).contains(index)
        else {
            throw FleetStateError(.backendUnavailable, "the rate limit script returned \(reply)")
        }
        let decision = RateLimitDecision(
            isAllowed: allowed == 1, index: index - 1, remaining: remaining,
            resetMilliseconds: Int64(reset), retryAfterMilliseconds: Int64(retry)
        )
        return RateLimitGrant(decision: decision, leased: leased, window: Int64(window))
    }
}

extension RateLimitRedisBackend: LeasingRateLimitBackend {
    public func acquire(_ check: RateLimitCheck, leasing: RateLimitLeasing, returning refund: RateLimitRefund?) async throws -> RateLimitGrant {
        try await self.run([check], leasing: leasing, refund: refund)
    }

    public func lease(_ check: RateLimitCheck, leasing: RateLimitLeasing) async throws -> RateLimitGrant {
        try await self.run([check], leasing: leasing, spending: false)
    }
}
