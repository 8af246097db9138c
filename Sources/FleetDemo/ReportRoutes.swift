import FleetHTTP
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /reports`: CPU-heavy work on an uploaded body (`rounds` chained SHA-256
/// passes over it), run on the `Offload` pool so the event loops keep answering.
///
/// It bounds its body itself rather than under `BodyLimitMiddleware`, whose
/// collected copy of a chunked body could not tell when the client hangs up.
/// An offloaded report's connection closes after its response (`Connection: close`):
/// Hummingbird watches for the hang-up by reading the connection past the request.
///
/// With `comparisons` on (`BENCH_ROUTES`), `?run=loop` runs the same work on an
/// event loop and `?run=inline` in the handler's task on Swift's concurrency pool:
/// what the pool protects against, for tests and benchmarks only.
struct ReportRoutes: Sendable {
    static var defaultRounds: Int { 100 }
    static var rounds: ClosedRange<Int> { 1...10_000 }

    /// Where a report's work runs.
    enum Placement: String, CaseIterable, Sendable {
        case offload, loop, inline
    }

    let offload: Offload
    let eventLoopGroup: any EventLoopGroup
    let bodyLimit: Int
    let comparisons: Bool

    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.post("/reports") { request, _ in
            try await self.report(request)
        }
    }

    func report(_ request: Request) async throws -> Response {
        let rounds = try Self.rounds(request.uri.queryParameters.get("rounds"))
        let placement = try self.placement(request.uri.queryParameters.get("run"))
        if let declared = request.headers[.contentLength], (Int(declared) ?? .max) > self.bodyLimit {
            throw Problem.bodyTooLarge(limit: self.bodyLimit)
        }
        let report: (bytes: Int, digest: String)
        switch placement {
        case .offload:
            // A client that hangs up cancels the handler, so a job still queued for it never runs.
            report = try await request.body.consumeWithCancellationOnInboundClose { stream in
                let body = try await self.collect(stream)
                return (body.readableBytes, try await self.offload.run { ReportDigest.hex(of: body, rounds: rounds) })
            }
        case .loop:
            let body = try await self.collect(request.body)
            report = (body.readableBytes, try await self.eventLoopGroup.any().submit { ReportDigest.hex(of: body, rounds: rounds) }.get())
        case .inline:
            let body = try await self.collect(request.body)
            report = (body.readableBytes, ReportDigest.hex(of: body, rounds: rounds))
        }
        let json = #"{"bytes":\#(report.bytes),"rounds":\#(rounds),"sha256":"\#(report.digest)","run":"\#(placement.rawValue)"}"#
        var headers: HTTPFields = [.contentType: "application/json"]
        // Watching for a hang-up consumes the connection's next request: say it closes, so no client reuses it.
        if placement == .offload { headers[.connection] = "close" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    func collect(_ body: RequestBody) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: self.bodyLimit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.bodyTooLarge(limit: self.bodyLimit)
        }
    }

    static func rounds(_ raw: String?) throws(Problem) -> Int {
        guard let raw else { return Self.defaultRounds }
        guard let rounds = Int(raw), Self.rounds.contains(rounds) else {
            throw Problem.invalidParameter("rounds", "rounds must be an integer from \(Self.rounds.lowerBound) to \(Self.rounds.upperBound), not \"\(raw)\".")
        }
        return rounds
    }

    func placement(_ raw: String?) throws(Problem) -> Placement {
        guard let raw else { return .offload }
        guard let placement = Placement(rawValue: raw) else {
            let names = Placement.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalidParameter("run", "run must be one of \(names), not \"\(raw)\".")
        }
        guard placement == .offload || self.comparisons else {
            throw Problem.invalidParameter("run", "run=\(raw) is for benchmarks only: start the service with BENCH_ROUTES=1.")
        }
        return placement
    }
}
