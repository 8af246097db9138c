import HTTPTypes

extension Problem {
    /// This instance has more heavy work queued than it will take on: retry later, or elsewhere.
    /// The connection closes, so the retry may reach another instance through the load balancer.
    public static func overloaded(_ full: OffloadQueueFull) -> Problem {
        let seconds = max(1, Int(full.retryAfter.components.seconds))
        return Problem(
            "overloaded",
            title: "Server busy",
            status: .serviceUnavailable,
            detail: "Every worker thread is busy and \(full.queueLimit) jobs are waiting; retry after the seconds in Retry-After.",
            headers: [.retryAfter: String(seconds), .connection: "close"]
        )
    }
}
