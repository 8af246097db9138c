/// One stage of a run, as in k6: ramp linearly to `target` over `duration`.
///
/// The target is an arrival rate (requests per second) in the open model and a
/// number of virtual users in the closed model.
public struct Stage: Sendable, Hashable, Codable {
    /// How long the stage lasts.
    public var duration: Duration
    /// The rate or virtual-user count reached at the end of the stage.
    public var target: Double

    /// Creates a stage.
    public init(duration: Duration, target: Double) {
        self.duration = duration
        self.target = target
    }

    /// Parses `DURATION:TARGET`, such as `2m:100` or `30s:5000`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let duration = Duration.parse(parts[0]), duration > .zero,
            let target = Double(parts[1].trimmingWhitespace()), target >= 0, target.isFinite
        else {
            throw LoadError(.invalidArgument, "--stage '\(text)': expected DURATION:TARGET such as 2m:100 (duration > 0 in us, ms, s, m or h; target >= 0)")
        }
        self.init(duration: duration, target: target)
    }
}

/// Which model drives the load: open (arrival rate) or closed (virtual users).
public struct LoadModel: Sendable, Hashable {
    enum Kind: Hashable, Sendable { case arrivalRate, virtualUsers }
    let kind: Kind
    /// The level at time zero, ramped from by the first stage.
    public let start: Double
    /// The stages, run one after the other.
    public let stages: [Stage]

    /// Open model: requests arrive on a schedule whatever the target's speed (k6 `ramping-arrival-rate`, wrk2).
    ///
    /// Latency is measured from each request's intended start, correcting coordinated omission.
    /// - Parameters:
    ///   - startRate: requests per second at time zero.
    ///   - stages: ramps of the arrival rate.
    public static func arrivalRate(startRate: Double, stages: [Stage]) -> LoadModel {
        LoadModel(kind: .arrivalRate, start: startRate, stages: stages)
    }

    /// Open model at a constant rate for a duration.
    public static func constantRate(_ rate: Double, duration: Duration) -> LoadModel {
        .arrivalRate(startRate: rate, stages: [Stage(duration: duration, target: rate)])
    }

    /// Closed model: virtual users each send a request, await the response and send the next (k6 `ramping-vus`, wrk).
    /// - Parameters:
    ///   - startUsers: users at time zero.
    ///   - stages: ramps of the user count.
    public static func virtualUsers(startUsers: Int, stages: [Stage]) -> LoadModel {
        LoadModel(kind: .virtualUsers, start: Double(startUsers), stages: stages)
    }

    /// Closed model with a constant number of users for a duration.
    public static func constantUsers(_ users: Int, duration: Duration) -> LoadModel {
        .virtualUsers(startUsers: users, stages: [Stage(duration: duration, target: Double(users))])
    }

    /// True for the open (arrival-rate) model.
    public var isOpen: Bool { kind == .arrivalRate }

    /// The total planned duration.
    public var duration: Duration { stages.reduce(.zero) { $0 + $1.duration } }

    /// The level (rate or users) at `seconds` into the run, interpolated linearly within a stage.
    public func level(at seconds: Double) -> Double {
        var from = start
        var elapsed = 0.0
        for stage in stages {
            let length = stage.duration.seconds
            if seconds < elapsed + length {
                return from + (stage.target - from) * (seconds - elapsed) / length
            }
            elapsed += length
            from = stage.target
        }
        return from
    }

    /// The index of the stage running at `seconds` into the run (the last one after the end).
    public func stageIndex(at seconds: Double) -> Int {
        var elapsed = 0.0
        for (index, stage) in stages.enumerated() {
            elapsed += stage.duration.seconds
            if seconds < elapsed { return index }
        }
        return max(stages.count - 1, 0)
    }

    /// The largest level any stage reaches.
    public var peak: Double { stages.reduce(start) { max($0, $1.target) } }
}
