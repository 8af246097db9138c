/// Completed reloads and how long they took, as a Prometheus histogram.
struct ReloadStatistics: Sendable {
    /// Upper bounds in seconds: a reload replaces every worker one by one, each after its ready check.
    static let bounds: [Double] = [1, 2.5, 5, 10, 20, 30, 60, 120, 300]
    var buckets = [Int](repeating: 0, count: bounds.count)
    var count = 0
    var sum = 0.0
    var failures = 0

    mutating func record(seconds: Double) {
        for (index, bound) in Self.bounds.enumerated() where seconds <= bound { self.buckets[index] += 1 }
        self.count += 1
        self.sum += seconds
    }
}
