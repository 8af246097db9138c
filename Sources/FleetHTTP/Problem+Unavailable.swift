import HTTPTypes

extension Problem {
    /// A dependency the request needs (the database, the session store) is
    /// down or did not answer in time: retry shortly, unlike a 500.
    /// - Parameter dependency: what is unavailable, e.g. `database`.
    public static func unavailable(_ dependency: String) -> Problem {
        Problem(
            "dependency-unavailable",
            title: "Service unavailable",
            status: .serviceUnavailable,
            detail: "The \(dependency) is unavailable right now; retry after the seconds in Retry-After.",
            headers: [.retryAfter: "1"]
        )
    }
}
