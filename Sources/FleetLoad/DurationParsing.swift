extension Duration {
    /// Parses a duration such as `30s`, `2m`, `1h30m`, `250ms`, `1.5s` or `90` (seconds).
    ///
    /// - Parameter text: the duration; units `us`, `ms`, `s`, `m`, `h` may be chained.
    /// - Returns: nil when the text is not a duration.
    public static func parse(_ text: String) -> Duration? {
        let scalars = Array(text.trimmingWhitespace().unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        var total = 0.0
        var index = 0
        while index < scalars.count {
            var number = ""
            while index < scalars.count, "0123456789.".unicodeScalars.contains(scalars[index]) {
                number.unicodeScalars.append(scalars[index])
                index += 1
            }
            var unit = ""
            while index < scalars.count, !"0123456789.".unicodeScalars.contains(scalars[index]) {
                unit.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard let value = Double(number), value >= 0 else { return nil }
            let seconds: Double
            switch unit {
            case "us", "µs": seconds = value / 1e6
            case "ms": seconds = value / 1e3
            case "s", "": seconds = value
            case "m": seconds = value * 60
            case "h": seconds = value * 3600
            default: return nil
            }
            if unit.isEmpty, index < scalars.count { return nil }
            total += seconds
        }
        return .nanoseconds(Int64((total * 1e9).rounded()))
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
