import ArgumentParser
import FleetLoad
import Foundation

/// `fleet plan`: capacity planning from measurements, and an autoscaler simulation.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan capacity: the rate one instance holds, instances and DB connections needed, HPA settings.",
        subcommands: [Measure.self, Simulate.self],
        defaultSubcommand: Measure.self
    )
}

extension Plan {
    /// `fleet plan URL --slo ... --peak ...`.
    struct Measure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "measure",
            abstract: "Search the highest rate one instance holds within the SLO, fit the USL, size the fleet."
        )

        @Argument(help: "One instance's URL, http://HOST[:PORT]/PATH.")
        var url: String

        @Option(name: .customLong("slo"), help: "Latency objective, repeatable, such as p95<200ms.")
        var slo: [String] = ["p95<200ms"]

        @Option(help: "Error budget, such as 1% or 0.5%.")
        var errorBudget: String = "1%"

        @Option(help: "Peak rate the fleet must serve, requests per second.")
        var peak: Double

        @Option(help: "Headroom multiplier on the peak.")
        var safety: Double = 1.5

        @Option(help: "Database pool size per instance.")
        var poolMax: Int?

        @Option(help: "The database's connection limit.")
        var dbMaxConnections: Int?

        @Option(help: "Length of each rate step, such as 10s.")
        var stepDuration: String = "10s"

        @Option(help: "First rate tried, requests per second.")
        var startRate: Double = 100

        @Option(help: "Concurrencies for the USL fit, comma-separated (empty skips the fit).")
        var concurrency: String = "1,2,4,8,16,32,64"

        @Option(help: "Length of each concurrency measurement, such as 5s.")
        var sweepDuration: String = "5s"

        @Option(help: "Write the plan as JSON to this file, or - for standard output.")
        var json: String?

        func run() async throws {
            var configuration: CapacityPlanner.Configuration
            do {
                let target = try Target(url: url)
                guard peak > 0, peak.isFinite else { throw ValidationError("--peak \(peak): must be a positive rate") }
                guard safety >= 1 else { throw ValidationError("--safety \(safety): must be at least 1") }
                configuration = try .init(target: target, slo: try slo.map(Threshold.init(parsing:)), peak: peak)
                configuration.errorBudget = try Threshold(parsing: "errors<\(errorBudget)")
                configuration.safety = safety
                configuration.poolMax = poolMax
                configuration.dbMaxConnections = dbMaxConnections
                configuration.startRate = startRate
                guard let step = Duration.parse(stepDuration), step > .zero else { throw ValidationError("--step-duration '\(stepDuration)': expected a duration such as 10s") }
                configuration.stepDuration = step
                guard let sweep = Duration.parse(sweepDuration), sweep > .zero else { throw ValidationError("--sweep-duration '\(sweepDuration)': expected a duration such as 5s") }
                configuration.concurrencyDuration = sweep
                let levels = concurrency.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard levels.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw ValidationError("--concurrency '\(concurrency)': expected positive integers separated by commas") }
                configuration.concurrencies = levels.compactMap { $0 }
            } catch let error as LoadError {
                throw ValidationError(error.message)
            }
            let plan = try await CapacityPlanner(configuration: configuration).run { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            if json == "-" {
                FileHandle.standardError.write(Data((plan.summary + "\n").utf8))
            } else {
                print(plan.summary)
            }
            if let json { try write(encode(plan), to: json) }
        }
    }

    /// `fleet plan simulate --trace traffic.csv --capacity N`.
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a traffic trace through the Kubernetes HPA algorithm and report SLO breaches (exit 99 if any).",
            discussion: "The trace is CSV 'seconds,requests_per_second', linear between lines. Defaults are Kubernetes': 15 s sync, 0.1 tolerance, scale-up doubles or adds 4 pods per 15 s, scale-down window 300 s."
        )

        @Option(help: "CSV file of seconds,requests_per_second.")
        var trace: String

        @Option(help: "Requests per second one ready pod serves within the SLO (from fleet plan).")
        var capacity: Double

        @Option(help: "HPA target utilization of that capacity, 0-1.")
        var targetUtilization: Double = 0.7

        @Option(help: "minReplicas.") var minReplicas: Int = 1
        @Option(help: "maxReplicas.") var maxReplicas: Int = 100
        @Option(help: "Replicas at time zero (default minReplicas).") var initialReplicas: Int?
        @Option(help: "Seconds from pod creation to ready.") var startup: Int = 30
        @Option(help: "Controller sync period, seconds.") var sync: Int = 15
        @Option(help: "Tolerance around the target ratio.") var tolerance: Double = 0.1
        @Option(help: "Scale-up stabilization window, seconds.") var scaleUpWindow: Int = 0
        @Option(help: "Scale-down stabilization window, seconds.") var scaleDownWindow: Int = 300

        @Option(help: "Write the result as JSON to this file, or - for standard output.")
        var json: String?

        func run() async throws {
            guard let text = try? String(contentsOfFile: trace, encoding: .utf8) else { throw ValidationError("--trace \(trace): cannot read the file") }
            guard capacity > 0 else { throw ValidationError("--capacity \(capacity): must be a positive rate") }
            guard targetUtilization > 0, targetUtilization <= 1 else { throw ValidationError("--target-utilization \(targetUtilization): must be in (0, 1]") }
            guard minReplicas >= 1, maxReplicas >= minReplicas else { throw ValidationError("--min-replicas/--max-replicas: need 1 <= min <= max") }
            guard sync >= 1, startup >= 0, tolerance >= 0 else { throw ValidationError("--sync must be >= 1, --startup and --tolerance >= 0") }
            let traffic: TrafficTrace
            do { traffic = try TrafficTrace(csv: text) } catch let error as LoadError { throw ValidationError(error.message) }
            var settings = HPASimulation.Settings(capacityPerPod: capacity)
            settings.targetUtilization = targetUtilization
            settings.minReplicas = minReplicas
            settings.maxReplicas = maxReplicas
            settings.initialReplicas = initialReplicas
            settings.podStartupSeconds = startup
            settings.syncPeriodSeconds = sync
            settings.tolerance = tolerance
            settings.scaleUp.stabilizationWindowSeconds = scaleUpWindow
            settings.scaleDown.stabilizationWindowSeconds = scaleDownWindow
            let result = HPASimulation(settings: settings).run(trace: traffic)
            var lines = ["time(s)  load(req/s)  replicas  ready"]
            var previous: (Int, Int)?
            for step in result.steps where previous.map({ $0 != (step.replicas, step.ready) }) ?? true {
                lines.append("\(String(step.time).leftPadded(7))  \(String(Int(step.load)).leftPadded(11))  \(String(step.replicas).leftPadded(8))  \(String(step.ready).leftPadded(5))")
                previous = (step.replicas, step.ready)
            }
            lines.append("peak replicas \(result.peakReplicas)")
            if result.breaches.isEmpty {
                lines.append("SLO holds: ready capacity covered the load at every second")
            } else {
                for breach in result.breaches {
                    lines.append("SLO breach \(breach.start)s-\(breach.end)s: load up to \(String(format: "%.2f", breach.worstLoadOverCapacity))x ready capacity")
                }
                lines.append("\(result.breachSeconds) s in breach: raise minReplicas, lower --target-utilization or shorten pod start-up")
            }
            let summary = lines.joined(separator: "\n")
            if json == "-" { FileHandle.standardError.write(Data((summary + "\n").utf8)) } else { print(summary) }
            if let json { try write(encode(result), to: json) }
            if !result.breaches.isEmpty { throw ExitCode(99) }
        }
    }
}

private func encode(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

private func write(_ text: String, to path: String) throws {
    if path == "-" { FileHandle.standardOutput.write(Data(text.utf8)) } else { try text.write(toFile: path, atomically: true, encoding: .utf8) }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
