import ArgumentParser
import FleetSupervisor

/// `fleet metrics`: the supervisor's metrics (workers, restarts, reloads) in Prometheus' text format.
struct Metrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a running fleet's supervisor metrics in Prometheus' text format.",
        discussion: "Each worker serves its own requests, pools and event-loop lag at GET /metrics on the app's port; fleet start --metrics-port serves these over HTTP."
    )

    @OptionGroup var app: AppOptions

    func run() async throws {
        let response = try await self.app.client.send(ControlRequest(command: "metrics"))
        guard let metrics = response.metrics else { throw ValidationError(response.error ?? "the supervisor sent no metrics") }
        print(metrics, terminator: "")
    }
}
