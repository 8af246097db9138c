import Testing

@testable import FleetLoad

@Suite("Thresholds")
struct ThresholdTests {
    private func figures(latencies: [UInt64], errors: Int = 0, rate: Double = 100, target: Double? = 100, dropped: Int = 0) -> LoadFigures {
        var histogram = LatencyHistogram.latency()
        for value in latencies { histogram.recordLatency(value) }
        return LoadFigures(latency: histogram, requests: latencies.count, errors: errors, dropped: dropped, achievedRate: rate, targetRate: target)
    }

    @Test("parses and evaluates latency, error, rate and dropped thresholds", arguments: [
        ("p95<200ms", true), ("p95<50ms", false), ("p99<=0.2s", true), ("p99.9<160000us", true), ("avg<102", true),
        ("max<100ms", false), ("errors<1%", false), ("errors<=0.05", true), ("rate>=0.99*target", true), ("rate>100", false), ("dropped==0", true),
    ])
    func evaluates(expression: String, expected: Bool) throws {
        // 98 fast responses, 2 slow: p95 = 100 ms, max = 150 ms; 2% errors.
        let sample = figures(latencies: Array(repeating: 100_000, count: 98) + [150_000, 150_000], errors: 2)
        #expect(try Threshold(parsing: expression).evaluate(sample).passed == expected)
    }

    @Test("a bad threshold names the flag and what is allowed", arguments: [
        ("p95 200ms", "no comparison"), ("latency<2s", "unknown metric 'latency'"), ("p95<fast", "bad value 'fast'"), ("errors<2x", "bad value"),
    ])
    func rejects(expression: String, fragment: String) {
        #expect {
            try Threshold(parsing: expression)
        } throws: { error in
            let message = (error as? LoadError)?.message ?? ""
            return message.contains("--threshold") && message.contains(fragment)
        }
    }

    @Test("a rate threshold relative to target fails without a target (closed model)")
    func rateWithoutTarget() throws {
        let result = try Threshold(parsing: "rate>=0.99*target").evaluate(figures(latencies: [1000], target: nil))
        #expect(!result.passed)
        #expect(result.note != nil)
    }

    @Test("stage and duration flags parse, and errors name the flag")
    func stages() throws {
        #expect(try Stage(parsing: "2m:100") == Stage(duration: .seconds(120), target: 100))
        #expect(Duration.parse("1h30m") == .seconds(5400))
        #expect(Duration.parse("250ms") == .milliseconds(250))
        #expect(Duration.parse("soon") == nil)
        #expect(throws: LoadError.self) { try Stage(parsing: "2m") }
        #expect(throws: LoadError.self) { try Target(url: "https://example.com/") }
        #expect(try Target(url: "http://[::1]:8080/a?b=1").port == 8080)
    }

    @Test("the arrival schedule inverts a ramp exactly")
    func schedule() {
        let schedule = ArrivalSchedule(model: .arrivalRate(startRate: 0, stages: [Stage(duration: .seconds(10), target: 100)]))
        #expect(schedule.totalArrivals == 500)
        // N(t) = 5 t^2, so arrival 125 falls at t = 5.
        #expect(abs((schedule.time(ofArrival: 125) ?? 0) - 5) < 1e-9)
        #expect(schedule.time(ofArrival: 500) == nil)
    }
}
