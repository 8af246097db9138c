import Hummingbird
import NIOCore

/// `GET /health/live`, `GET /health/ready` and `GET /health` (an alias of ready).
///
/// Liveness says only that the process answers: restarting it cannot fix a
/// database outage. Readiness checks every dependency within a deadline, so a
/// balancer stops routing here while one is down.
public struct HealthRoutes: Sendable {
    let checks: [HealthCheck]
    let timeout: Duration

    /// - Parameters:
    ///   - checks: the dependencies readiness waits on.
    ///   - timeout: how long each check may take. Default 1 s.
    public init(checks: [HealthCheck], timeout: Duration = .seconds(1)) {
        self.checks = checks
        self.timeout = timeout
    }

    /// Adds the health routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/health/live") { _, _ in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/health/ready") { _, _ in await self.readiness() }
        router.get("/health") { _, _ in await self.readiness() }
    }

    func readiness() async -> Response {
        let results = await withTaskGroup(of: (String, String).self) { group in
            for check in self.checks {
                group.addTask { (check.name, await self.run(check)) }
            }
            var results: [(String, String)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        let healthy = results.allSatisfy { $0.1.hasPrefix(#"{"status":"ok""#) }
        let checks = results.map { "\(JSONString.quoted($0.0)):\($0.1)" }.joined(separator: ",")
        let status = healthy ? "ok" : "degraded"
        return Self.json(healthy ? .ok : .serviceUnavailable, #"{"status":"\#(status)","checks":{\#(checks)}}"#)
    }

    func run(_ check: HealthCheck) async -> String {
        let start = ContinuousClock.now
        do {
            try await withDeadline(self.timeout) { try await check.probe() }
            return #"{"status":"ok","duration_ms":\#(Self.milliseconds(since: start))}"#
        } catch {
            return #"{"status":"fail","duration_ms":\#(Self.milliseconds(since: start)),"error":\#(JSONString.quoted("\(error)"))}"#
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> String {
        (ContinuousClock.now - start).millisecondsText
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
