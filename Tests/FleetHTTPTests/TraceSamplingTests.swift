import FleetHTTP
import Testing

/// Which requests get a span, decided before any exists.
@Suite struct TraceSamplingTests {
    let sampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    let notSampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"

    @Test func theStandardSamplersAreRead() {
        #expect(TraceSampling(sampler: nil, argument: nil) == TraceSampling(followsParent: true, ratio: 1), "OpenTelemetry's default")
        #expect(TraceSampling(sampler: "parentbased_traceidratio", argument: "0.01") == TraceSampling(followsParent: true, ratio: 0.01))
        #expect(TraceSampling(sampler: "traceidratio", argument: "0.5") == TraceSampling(followsParent: false, ratio: 0.5))
        #expect(TraceSampling(sampler: "always_off", argument: nil) == TraceSampling(followsParent: false, ratio: 0))
        #expect(TraceSampling(sampler: "parentbased_jaeger_remote", argument: nil) == nil)
        #expect(TraceSampling(sampler: "traceidratio", argument: "1.5") == nil)
    }

    @Test func aRatioTracesThatShareOfRequestsWithoutAParent() {
        let sampler = TraceSampler(TraceSampling(followsParent: true, ratio: 0.25))
        let traced = (0..<100).filter { _ in sampler.admits(traceparent: nil) }.count
        #expect(traced == 25)
    }

    @Test func aParentsFlagDecidesForParentBasedSamplers() {
        let never = TraceSampler(TraceSampling(followsParent: true, ratio: 0))
        #expect(never.admits(traceparent: self.sampled), "the caller sampled this trace: continue it")
        #expect(!never.admits(traceparent: nil))
        let always = TraceSampler(TraceSampling(followsParent: true, ratio: 1))
        #expect(!always.admits(traceparent: self.notSampled), "the caller dropped this trace")
        #expect(always.admits(traceparent: "garbage"), "a malformed traceparent decides nothing")
        let ratioOnly = TraceSampler(TraceSampling(followsParent: false, ratio: 0))
        #expect(!ratioOnly.admits(traceparent: self.sampled), "traceidratio ignores the parent")
    }

    @Test(arguments: [("OTEL_TRACES_SAMPLER", "sometimes"), ("OTEL_TRACES_SAMPLER_ARG", "2")])
    func badValuesNameTheirVariable(variable: String, value: String) {
        var environment = ["OTEL_TRACES_SAMPLER": "traceidratio"]
        environment[variable] = value
        do {
            _ = try FleetConfiguration(environment: environment)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
        }
    }

    @Test func theConfigurationCarriesTheSampling() throws {
        let configuration = try FleetConfiguration(environment: ["OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"])
        #expect(configuration.observability.traceSampling == TraceSampling(followsParent: true, ratio: 0.1))
    }
}
