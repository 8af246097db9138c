/// A traffic shape: requests per second over time, interpolated linearly between points.
public struct TrafficTrace: Sendable, Hashable {
    /// (seconds, requests per second), sorted by time.
    public var points: [Point]

    public struct Point: Sendable, Hashable {
        public var time: Double
        public var rate: Double
        public init(time: Double, rate: Double) {
            self.time = time
            self.rate = rate
        }
    }

    /// Creates a trace from points sorted by time.
    public init(points: [Point]) {
        self.points = points.sorted { $0.time < $1.time }
    }

    /// Parses CSV lines `seconds,rps` (a header line and `#` comments are skipped); times may be durations (`90s`, `2m`).
    public init(csv text: String) throws {
        var points: [Point] = []
        for (offset, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { String($0).trimmingWhitespace() }
            if points.isEmpty, fields.count >= 2, Double(fields[1]) == nil { continue }  // header
            guard fields.count >= 2, let time = Duration.parse(fields[0])?.seconds, let rate = Double(fields[1]), rate >= 0 else {
                throw LoadError(.invalidTrace, "trace line \(offset + 1): expected 'seconds,requests_per_second', got '\(line)'")
            }
            if let last = points.last, time <= last.time {
                throw LoadError(.invalidTrace, "trace line \(offset + 1): time \(fields[0]) is not after the previous line's")
            }
            points.append(Point(time: time, rate: rate))
        }
        guard points.count >= 1 else { throw LoadError(.invalidTrace, "trace: no data lines") }
        self.points = points
    }

    /// Whole seconds from the first point's time zero to the last point.
    public var duration: Int { Int(points.last?.time ?? 0) }

    /// The rate at `time`, linear between points, flat outside.
    public func load(at time: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        if time <= first.time { return first.rate }
        if time >= last.time { return last.rate }
        let upper = points.firstIndex { $0.time >= time }!
        let a = points[upper - 1], b = points[upper]
        return a.rate + (b.rate - a.rate) * (time - a.time) / (b.time - a.time)
    }
}
