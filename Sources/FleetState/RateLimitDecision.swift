/// What a rate limiter decided for a request, with what the response headers report.
public struct RateLimitDecision: Sendable, Equatable {
    /// True when the request may proceed; its points were taken from every check.
    public var isAllowed: Bool
    /// The check the numbers are about: the first that rejected, or the one
    /// with the fewest points left.
    public var index: Int
    /// Points left in that check's window after this request.
    public var remaining: Int
    /// Milliseconds until that check's quota is whole again.
    public var resetMilliseconds: Int64
    /// Milliseconds until a rejected request could pass; zero when allowed.
    public var retryAfterMilliseconds: Int64

    /// Creates a decision.
    public init(isAllowed: Bool, index: Int, remaining: Int, resetMilliseconds: Int64, retryAfterMilliseconds: Int64) {
        self.isAllowed = isAllowed
        self.index = index
        self.remaining = remaining
        self.resetMilliseconds = resetMilliseconds
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }
}
