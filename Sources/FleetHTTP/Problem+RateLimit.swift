import HTTPTypes

extension Problem {
    /// A client over its rate limit; `Retry-After` says when to come back.
    public static func rateLimited(policy: String) -> Problem {
        Problem(
            "rate-limited",
            title: "Too many requests",
            status: .tooManyRequests,
            detail: "The rate limit \"\(policy)\" is used up for this client; retry after the seconds in Retry-After."
        )
    }

    /// The rate limiter cannot decide (its backend is down and it fails closed).
    public static var rateLimitUnavailable: Problem {
        Problem(
            "rate-limit-unavailable",
            title: "Service unavailable",
            status: .serviceUnavailable,
            detail: "Requests cannot be checked against the rate limit right now; retry shortly.",
            headers: [.retryAfter: "1"]
        )
    }
}
