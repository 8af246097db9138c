import ArgumentParser
import FleetLoad
import Foundation

/// `fleet load`: an open- or closed-model load test with thresholds and JSON/HTML reports.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test an HTTP service: open model (arrival rate) by default, closed with --vus.",
        discussion: """
            Latency in the open model counts from each request's intended start (coordinated omission corrected, as wrk2).
            Exit status: 0 when every threshold holds, 99 when one fails (as k6), 64 for bad flags.
            Examples:
              fleet load http://127.0.0.1:8080/users --rate 5000 --duration 30s --threshold 'p95<200ms'
              fleet load http://127.0.0.1:8080/ --stage 30s:1000 --stage 1m:1000 --stage 30s:0 --html report.html
              fleet load http://127.0.0.1:8080/ --vus 50 --duration 10s --json -
            """
    )

    @Argument(help: "Target URL, http://HOST[:PORT]/PATH (optional when the scenario file gives url).")
    var url: String?

    @Option(help: "Open model: arrivals per second (the start rate when --stage is given).")
    var rate: Double?

    @Option(help: "Run length without --stage, such as 30s, 2m, 1h.")
    var duration: String = "10s"

    @Option(name: .customLong("stage"), help: "DURATION:TARGET ramp, repeatable, as in k6 (rate, or users with --vus).")
    var stages: [String] = []

    @Option(help: "Closed model: number of virtual users (each holds one connection).")
    var vus: Int?

    @Option(help: "Most connections (open model, default 256; closed model: the peak user count).")
    var connections: Int?

    @Option(help: "YAML or JSON scenario file with weighted requests.")
    var scenario: String?

    @Option(name: .customLong("threshold"), help: "Pass/fail criterion, repeatable: p95<200ms, p99<500ms, errors<1%, rate>=0.99*target, dropped==0.")
    var thresholds: [String] = []

    @Option(name: .customLong("check-status"), help: "Accepted status, repeatable (default: any status below 400).")
    var checkStatus: [Int] = []

    @Option(name: .customLong("check-body"), help: "Text every response body must contain.")
    var checkBody: String?

    @Option(help: "Write the JSON report to this file, or - for standard output.")
    var json: String?

    @Option(help: "Write a self-contained HTML report to this file.")
    var html: String?

    @Flag(help: "Stop as soon as a threshold fails.")
    var abortOnFail = false

    @Option(help: "A request unanswered after this is a timeout error.")
    var timeout: String = "5s"

    @Option(help: "Event-loop threads generating load (default: one per core).")
    var threads: Int?

    func run() async throws {
        let configuration = try makeConfiguration()
        let showProgress = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] != "true"
        let report: LoadReport
        do {
            report = try await LoadTest(configuration: configuration).run { progress in
                if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[2K\(progress.line)".utf8)) }
            }
        } catch let error as LoadError {
            FileHandle.standardError.write(Data("fleet load: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let summaryToStandardError = json == "-"
        let summary = Data((report.summary + "\n").utf8)
        if summaryToStandardError { FileHandle.standardError.write(summary) } else { FileHandle.standardOutput.write(summary) }
        if let json {
            let text = try report.jsonString() + "\n"
            if json == "-" { FileHandle.standardOutput.write(Data(text.utf8)) } else { try text.write(toFile: json, atomically: true, encoding: .utf8) }
        }
        if let html { try report.html().write(toFile: html, atomically: true, encoding: .utf8) }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    private func makeConfiguration() throws -> LoadConfiguration {
        do {
            var loaded: Scenario?
            if let scenario {
                guard let text = try? String(contentsOfFile: scenario, encoding: .utf8) else {
                    throw ValidationError("--scenario \(scenario): cannot read the file")
                }
                loaded = try Scenario(yaml: text)
            }
            guard let address = url ?? loaded?.url else { throw ValidationError("missing URL: give it as the argument or as 'url' in the scenario file") }
            let target = try Target(url: address)
            guard let runLength = Duration.parse(duration), runLength > .zero else {
                throw ValidationError("--duration '\(duration)': expected a positive duration such as 30s, 2m or 1h")
            }
            guard let requestTimeout = Duration.parse(timeout), requestTimeout > .zero else {
                throw ValidationError("--timeout '\(timeout)': expected a positive duration such as 5s or 500ms")
            }
            if rate != nil, vus != nil { throw ValidationError("--rate and --vus exclude each other: --rate is the open model, --vus the closed model") }
            if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate \(rate): must be a positive number of requests per second") }
            if let vus, vus < 1 { throw ValidationError("--vus \(vus): must be at least 1") }
            if let connections, connections < 1 { throw ValidationError("--connections \(connections): must be at least 1") }
            if let threads, threads < 1 { throw ValidationError("--threads \(threads): must be at least 1") }
            let parsedStages = try stages.map(Stage.init(parsing:))
            let model: LoadModel
            if let vus {
                model = parsedStages.isEmpty ? .constantUsers(vus, duration: runLength) : .virtualUsers(startUsers: vus, stages: parsedStages)
            } else if parsedStages.isEmpty {
                model = .constantRate(rate ?? 100, duration: runLength)
            } else {
                model = .arrivalRate(startRate: rate ?? 0, stages: parsedStages)
            }
            var configuration = LoadConfiguration(
                target: target,
                requests: try loaded?.requests(for: target),
                model: model,
                connections: connections ?? (model.isOpen ? 256 : Int(model.peak.rounded(.up))),
                timeout: requestTimeout,
                checks: Checks(statuses: Set(checkStatus), bodyContains: checkBody),
                thresholds: try thresholds.map(Threshold.init(parsing:)) + (loaded?.thresholds ?? []),
                abortOnFail: abortOnFail
            )
            if let threads { configuration.threads = threads }
            try configuration.validate()
            return configuration
        } catch let error as LoadError {
            throw ValidationError(error.message)
        }
    }
}
