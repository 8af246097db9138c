import FleetHTTP
import FleetState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /jobs` enqueues a job for the workers (`fleet work`) and answers 202 with
/// its `Location`; `GET /jobs/:id` tells its state, attempts, last error and result.
struct JobRoutes: Sendable {
    let queue: any JobQueue
    let bodyLimit: Int
    /// Attempts before a failing job is dead-lettered (`JOBS_MAX_ATTEMPTS`).
    let maxAttempts: Int

    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.post("/jobs") { request, _ in
            var job = try JobInput.parse(try await request.jsonBody(limit: self.bodyLimit), names: DemoJobs.names).request
            try DemoJobs.validate(job)
            job.maxAttempts = self.maxAttempts
            let id = try await self.queue.enqueue(job)
            let location = "/jobs/\(id.rawValue)"
            let body = #"{"id":\#(JSONString.quoted(id.rawValue)),"location":\#(JSONString.quoted(location))}"#
            return Response(
                status: .accepted, headers: [.contentType: "application/json", .location: location], body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("/jobs/:id") { _, context in
            guard let raw = context.parameters.get("id"), let id = JobID(rawValue: raw) else {
                throw Problem.invalidParameter("id", "id must be a job id of 1 to 128 bytes.")
            }
            guard let status = try await self.queue.status(of: id) else {
                throw Problem.notFound("No job with id \(raw).", field: "id")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Self.json(status))))
        }
    }

    /// The status as JSON; a result that is JSON is embedded as is, any other as a string.
    static func json(_ status: JobStatus) -> [UInt8] {
        var object: [String: Any] = [
            "id": status.id.rawValue, "name": status.name, "state": status.state.rawValue, "attempts": status.attempts,
            "enqueued_at": ISO8601DateFormatter().string(from: status.enqueuedAt),
            "updated_at": ISO8601DateFormatter().string(from: status.updatedAt),
        ]
        if let error = status.lastError { object["last_error"] = error }
        if let result = status.result {
            object["result"] = (try? JSONSerialization.jsonObject(with: Data(result), options: [.fragmentsAllowed])) ?? String(decoding: result, as: UTF8.self)
        }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}
