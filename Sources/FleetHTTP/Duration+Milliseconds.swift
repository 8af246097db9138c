extension Duration {
    /// Milliseconds with three decimals, e.g. `12.345`: the unit logs and health documents use.
    public var millisecondsText: String {
        let (seconds, attoseconds) = self.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let fraction = micros % 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(micros / 1000).\(padded)"
    }
}

extension Duration {
    /// Whole nanoseconds: the unit swift-metrics' `Timer` records.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
