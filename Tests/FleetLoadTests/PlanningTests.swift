import Testing

@testable import FleetLoad

@Suite("Capacity planning: USL fit, sizing, HPA simulation")
struct PlanningTests {
    @Test("the USL fit recovers sigma and kappa within 5% from noisy synthetic data")
    func uslFit() throws {
        let truth = ScalabilityLaw(sigma: 0.05, kappa: 0.0008, lambda: 1200)
        let noise = [1.01, 0.99, 1.005, 0.995, 1.008, 0.992, 1.0, 1.004, 0.996]
        let levels = [1, 2, 4, 8, 16, 24, 32, 48, 64]
        let points = zip(levels, noise).map { (Double($0), truth.throughput(at: Double($0)) * $1) }
        let fitted = try ScalabilityLaw.fit(points)
        #expect(abs(fitted.sigma - truth.sigma) / truth.sigma < 0.05, "sigma \(fitted.sigma)")
        #expect(abs(fitted.kappa - truth.kappa) / truth.kappa < 0.05, "kappa \(fitted.kappa)")
        #expect(abs(fitted.lambda - truth.lambda) / truth.lambda < 0.05)
        #expect(abs(fitted.peakConcurrency - (0.95 / 0.0008).squareRoot()) < 2)
    }

    @Test("linear scaling fits kappa = 0; too few points is an error")
    func uslEdges() throws {
        let linear = try ScalabilityLaw.fit([(1, 100), (2, 200), (4, 400), (8, 800)])
        #expect(linear.kappa < 1e-9 && linear.sigma < 1e-9)
        #expect(throws: LoadError.self) { try ScalabilityLaw.fit([(1, 100), (2, 190)]) }
    }

    @Test("sizing: instances for peak x safety, N+1, DB connections against the limit")
    func sizing() {
        let plan = CapacityPlan(maxRate: 4000, peak: 20000, safety: 1.5, poolMax: 20, dbMaxConnections: 150)
        #expect(plan.instances == 8)  // 30 000 / 4 000 = 7.5
        #expect(plan.instancesWithSpare == 9)
        #expect(plan.dbConnections == 180)
        #expect(plan.dbFits == false)
        #expect(plan.autoscaler.maxReplicas == 7)  // 150 / 20: the database caps the fleet
        #expect(plan.autoscaler.targetRequestsPerPod == 2800)
        #expect(plan.summary.contains("EXCEEDS"))
    }

    // Hand-computed with the documented algorithm: capacity 100 req/s per pod, target 50%,
    // 2 ready pods, load 100 -> 400 req/s at t = 60 s, pods ready 30 s after creation.
    //  t=60:  ratio = 400 / 200 / 0.5 = 4 -> ceil(4 x 2) = 8; scale-up limit max(2 x 2, 2 + 4) = 6 -> 6
    //  t=75:  2 ready of 6; not-ready count as 0: 400 / 600 / 0.5 = 1.33 -> ceil(1.33 x 6) = 8;
    //         the t=60 event is 15 s old, outside the period, so the limit is 12 -> 8
    //  t=90:  6 ready of 8: 400 / 800 / 0.5 = 1.0 -> within tolerance -> 8
    //  t=200: load 100: ratio 0.25 -> ceil(0.25 x 8) = 2, held at 8 by the 300 s window until the
    //         last recommendation of 8 (t=195) leaves it: t=495 -> 2
    //  breach: 400 req/s over 2 ready pods (200 req/s) from t=60 until the 6 pods are ready at t=90.
    @Test("HPA simulation gives the replica counts the documented algorithm gives")
    func hpa() {
        var settings = HPASimulation.Settings(capacityPerPod: 100)
        settings.targetUtilization = 0.5
        settings.minReplicas = 2
        settings.maxReplicas = 20
        let trace = TrafficTrace(points: [
            .init(time: 0, rate: 100), .init(time: 59, rate: 100), .init(time: 60, rate: 400),
            .init(time: 199, rate: 400), .init(time: 200, rate: 100), .init(time: 600, rate: 100),
        ])
        let result = HPASimulation(settings: settings).run(trace: trace)
        func replicas(at time: Int) -> Int? { result.steps.first { $0.time == time }?.replicas }
        #expect(replicas(at: 45) == 2)
        #expect(replicas(at: 60) == 6)
        #expect(replicas(at: 75) == 8)
        #expect(replicas(at: 90) == 8)
        #expect(replicas(at: 480) == 8)
        #expect(replicas(at: 495) == 2)
        #expect(result.peakReplicas == 8)
        #expect(result.breaches == [HPASimulation.Breach(start: 60, end: 90, worstLoadOverCapacity: 2)])
    }

    @Test("the scale-down policy limits removal per period")
    func scaleDownPolicy() {
        var settings = HPASimulation.Settings(capacityPerPod: 100)
        settings.targetUtilization = 1
        settings.initialReplicas = 10
        settings.scaleDown = .init(stabilizationWindowSeconds: 0, policies: [.init(.pods, 2, periodSeconds: 60)])
        let trace = TrafficTrace(points: [.init(time: 0, rate: 100), .init(time: 120, rate: 100)])
        let result = HPASimulation(settings: settings).run(trace: trace)
        // Wants 1; may remove 2 per 60 s: 10 -> 8 at 0, 6 at 60, 4 at 120.
        #expect(result.steps.map(\.replicas) == [8, 8, 8, 8, 6, 6, 6, 6, 4])
    }

    @Test("traces parse from CSV; errors name the line")
    func traceCSV() throws {
        let trace = try TrafficTrace(csv: "seconds,rps\n0,100\n1m,300\n")
        #expect(trace.load(at: 30) == 200)
        #expect(trace.duration == 60)
        #expect {
            try TrafficTrace(csv: "0,100\n10,abc\n")
        } throws: { ($0 as? LoadError)?.message.contains("line 2") ?? false }
    }
}
