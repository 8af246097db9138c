/// When a worker that has not crashed is replaced anyway, by the same
/// graceful hand-over as a reload: a leak or a long life is retired without
/// a failed request. Every limit is off by default.
public struct WorkerLimits: Sendable, Equatable {
    /// Recycle a worker whose resident memory passes this many bytes (`--max-memory 512M`).
    public var maxMemoryBytes: Int?
    /// Recycle a worker once it has lived this long (`--max-age 6h`).
    public var maxAge: Duration?
    /// How often the limits are checked. Default 1 s.
    public var checkInterval: Duration = .seconds(1)

    public init() {}

    var isEmpty: Bool { self.maxMemoryBytes == nil && self.maxAge == nil }

    /// Why a worker with these readings should be recycled, or nil.
    func violation(memoryBytes: Int, age: Duration) -> String? {
        if let limit = self.maxMemoryBytes, memoryBytes > limit {
            return "memory \(memoryBytes / (1 << 20)) MiB over the \(limit / (1 << 20)) MiB limit"
        }
        if let limit = self.maxAge, age > limit {
            return "age over the \(limit) limit"
        }
        return nil
    }

    /// Parses a size such as `512M`, `1G`, `800K` or a number of bytes.
    public static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text.uppercased())
        if digits.hasSuffix("B") { digits = digits.dropLast() }
        var multiplier = 1
        if let unit = digits.last, let scale = units[unit] {
            multiplier = scale
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
