/// How a rate limit counts: a fixed window, a sliding window, or GCRA.
///
/// Every backend runs the same arithmetic (`RateLimitCell`), so a policy
/// behaves the same on Redis, in shared memory and in one process.
public struct RateLimitAlgorithm: Sendable, Hashable, CustomStringConvertible {
    enum Base: Int64, Sendable, Hashable {
        case fixedWindow = 1
        case slidingWindow = 2
        case gcra = 3
    }

    let base: Base

    /// `limit` points per window; the window starts at a key's first request
    /// (as rate-limiter-flexible counts). Cheapest; allows up to twice the
    /// limit across a window boundary.
    public static let fixedWindow = RateLimitAlgorithm(base: .fixedWindow)
    /// The current window's count plus the previous window's, weighted by how
    /// much of it still overlaps the last `window`: smooth at boundaries, two
    /// counters per key.
    public static let slidingWindow = RateLimitAlgorithm(base: .slidingWindow)
    /// The generic cell rate algorithm: one request every `window / limit`,
    /// with bursts of up to `limit`; one timestamp per key.
    public static let gcra = RateLimitAlgorithm(base: .gcra)

    /// Every algorithm, in the order the configuration documents them.
    public static let all: [RateLimitAlgorithm] = [.fixedWindow, .slidingWindow, .gcra]

    /// The configuration name: `fixed-window`, `sliding-window` or `gcra`.
    public var description: String {
        switch self.base {
        case .fixedWindow: "fixed-window"
        case .slidingWindow: "sliding-window"
        case .gcra: "gcra"
        }
    }

    /// The algorithm named `name` (`fixed-window`, `sliding-window`, `gcra`), or nil.
    public init?(_ name: String) {
        guard let algorithm = Self.all.first(where: { $0.description == name }) else { return nil }
        self = algorithm
    }

    private init(base: Base) {
        self.base = base
    }
}
