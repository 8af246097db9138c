/// A limit: `limit` points per `window` for each key, counted by `algorithm`.
///
/// The name tells policies apart in storage and in the `RateLimit` headers,
/// so two policies may limit the same key independently.
public struct RateLimitPolicy: Sendable, Hashable {
    /// Names the policy in storage keys and response headers (`default`, `login`).
    public let name: String
    /// Points a key may spend per window.
    public let limit: Int
    /// The window the limit applies to.
    public let window: Duration
    /// How points are counted.
    public let algorithm: RateLimitAlgorithm
    /// How long a key stays rejected once it went over its limit; zero means
    /// only until the algorithm lets it through again.
    public let blockDuration: Duration

    let windowMilliseconds: Int64
    let blockMilliseconds: Int64
    /// Mixed into every key's hash, so changing a policy starts its keys afresh.
    let seed: UInt64

    /// Creates a policy.
    /// - Parameters:
    ///   - name: the policy's name; letters, digits, `-` and `_` keep headers plain.
    ///   - limit: points per window, at least 1.
    ///   - window: the window, at least 1 ms.
    ///   - algorithm: how points are counted. Default `.fixedWindow`.
    ///   - blockDuration: how long a key is refused after going over. Default zero.
    public init(
        name: String = "default",
        limit: Int,
        window: Duration,
        algorithm: RateLimitAlgorithm = .fixedWindow,
        blockDuration: Duration = .zero
    ) {
        precondition(limit >= 1, "a rate limit allows at least one point per window")
        self.name = name
        self.limit = limit
        self.window = window
        self.algorithm = algorithm
        self.blockDuration = blockDuration
        self.windowMilliseconds = window.milliseconds
        self.blockMilliseconds = blockDuration.milliseconds
        precondition(self.windowMilliseconds >= 1 && self.blockMilliseconds >= 0, "a window of at least 1 ms, a block of none or more")
        var hasher = RateLimitHasher()
        hasher.combine(name.utf8)
        hasher.combine(UInt64(limit))
        hasher.combine(UInt64(self.windowMilliseconds))
        hasher.combine(UInt64(self.algorithm.base.rawValue))
        self.seed = hasher.value
    }

    /// The same policy with `limit` shared out among `shares` processes (rounded up).
    public func divided(among shares: Int) -> RateLimitPolicy {
        guard shares > 1 else { return self }
        let share = (self.limit + shares - 1) / shares
        return RateLimitPolicy(name: self.name, limit: share, window: self.window, algorithm: self.algorithm, blockDuration: self.blockDuration)
    }

    public static func == (lhs: RateLimitPolicy, rhs: RateLimitPolicy) -> Bool {
        lhs.name == rhs.name && lhs.limit == rhs.limit && lhs.window == rhs.window && lhs.algorithm == rhs.algorithm
            && lhs.blockDuration == rhs.blockDuration
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.seed)
    }
}
