extension Duration {
    /// Whole milliseconds, rounded down: the unit of the rate limiter's and
    /// the sessions' timestamps.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
