import Histogram

/// Latency histogram in microseconds, up to one hour; constant memory whatever the run's length.
typealias LatencyHistogram = Histogram<UInt64>

extension Histogram where Count == UInt64 {
    /// An empty latency histogram: 1 µs to 1 h at three significant digits.
    static func latency() -> Self {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: maxLatencyMicros, numberOfSignificantValueDigits: .three)
    }

    /// Records `micros`, clamped into the trackable range.
    mutating func recordLatency(_ micros: UInt64) {
        _ = record(Swift.min(Swift.max(micros, 1), maxLatencyMicros))
    }
}

let maxLatencyMicros: UInt64 = 3_600_000_000

/// What one event loop measured; merged across loops at the end and per interval for the series.
struct Recorder: Sendable {
    /// Counts and latency for one request name or one stage.
    struct Group: Sendable {
        var requests = 0
        var errors = 0
        var latency = LatencyHistogram.latency()

        mutating func add(_ other: Group) {
            requests += other.requests
            errors += other.errors
            latency.add(other.latency)
        }
    }

    var corrected = LatencyHistogram.latency()
    var uncorrected = LatencyHistogram.latency()
    var requests = 0
    var errors = 0
    var checkFailures = 0
    var dropped = 0
    /// When the last request went out (monotonic ns): in overload, queued requests go out after the planned end.
    var lastSent: UInt64 = 0
    var statuses: [Int: Int] = [:]
    var errorKinds: [String: Int] = [:]
    var byName: [Group]
    var byStage: [Group]

    init(names: Int, stages: Int) {
        byName = Array(repeating: Group(), count: names)
        byStage = Array(repeating: Group(), count: stages)
    }

    /// Records one finished request.
    /// - Parameters:
    ///   - correctedMicros: from the intended start (open model) or the send (closed model).
    ///   - uncorrectedMicros: from the send.
    ///   - status: the HTTP status, or nil for a transport error.
    mutating func record(correctedMicros: UInt64, uncorrectedMicros: UInt64, status: Int?, failed: Bool, name: Int, stage: Int) {
        requests += 1
        corrected.recordLatency(correctedMicros)
        uncorrected.recordLatency(uncorrectedMicros)
        if let status { statuses[status, default: 0] += 1 }
        if failed { errors += 1 }
        byName[name].requests += 1
        byName[name].latency.recordLatency(correctedMicros)
        byStage[stage].requests += 1
        byStage[stage].latency.recordLatency(correctedMicros)
        if failed {
            byName[name].errors += 1
            byStage[stage].errors += 1
        }
    }

    /// Counts a transport error by kind (timeout, connect, reset, protocol).
    mutating func recordError(kind: String) {
        errorKinds[kind, default: 0] += 1
    }

    mutating func add(_ other: Recorder) {
        corrected.add(other.corrected)
        uncorrected.add(other.uncorrected)
        requests += other.requests
        errors += other.errors
        checkFailures += other.checkFailures
        dropped += other.dropped
        lastSent = max(lastSent, other.lastSent)
        statuses.merge(other.statuses, uniquingKeysWith: +)
        errorKinds.merge(other.errorKinds, uniquingKeysWith: +)
        for index in byName.indices { byName[index].add(other.byName[index]) }
        for index in byStage.indices { byStage[index].add(other.byStage[index]) }
    }
}

/// One interval of the live series: what finished since the previous sample.
struct IntervalSample: Sendable {
    var requests = 0
    var errors = 0
    var dropped = 0
    var latency = LatencyHistogram.latency()
    var uncorrected = LatencyHistogram.latency()
    /// The largest lateness of the loop's timer in the interval, in microseconds.
    var timerDriftMicros: UInt64 = 0
    /// Arrivals that waited because every allowed connection was busy.
    var queuedForConnection = 0
    var openConnections = 0

    mutating func add(_ other: IntervalSample) {
        requests += other.requests
        errors += other.errors
        dropped += other.dropped
        latency.add(other.latency)
        uncorrected.add(other.uncorrected)
        timerDriftMicros = max(timerDriftMicros, other.timerDriftMicros)
        queuedForConnection += other.queuedForConnection
        openConnections += other.openConnections
    }
}
