/// One limit to pass: `cost` points of `policy` for `key`.
///
/// A request may carry several (per IP and per user); a backend takes from
/// all of them only when every one allows it.
public struct RateLimitCheck: Sendable {
    /// The limit to apply.
    public let policy: RateLimitPolicy
    /// Whose quota: a client address, a user id, an API key.
    public let key: String
    /// Points the request costs. Default 1.
    public let cost: Int
    /// The stable hash of policy and key that the in-process backends index by.
    let hash: UInt64

    /// - Parameters:
    ///   - policy: the limit.
    ///   - key: whose quota.
    ///   - cost: points the request costs, from 1 to the policy's limit. Default 1.
    public init(policy: RateLimitPolicy, key: String, cost: Int = 1) {
        precondition(cost >= 1, "a check costs at least one point")
        self.policy = policy
        self.key = key
        self.cost = cost
        var hasher = RateLimitHasher(seed: policy.seed)
        hasher.combine(key.utf8)
        self.hash = hasher.value
    }
}
