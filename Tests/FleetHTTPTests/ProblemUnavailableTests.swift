import FleetHTTP
import FleetState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A dependency that is down (Redis restarting under the session store) is a
/// 503 problem with Retry-After, something to wait out, not a 500.
@Suite struct ProblemUnavailableTests {
    @Test func stateBackendOutagesAre503() async throws {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.get("/session") { _, _ -> String in
            throw FleetStateError(.backendUnavailable, "the session store failed to load")
        }
        router.get("/layout") { _, _ -> String in
            throw FleetStateError(.layoutMismatch, "written by another layout")
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await Application(router: router, logger: logger).test(.router) { client in
            let response = try await client.execute(uri: "/session", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.headers[.retryAfter] == "1")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
            #expect(body["type"] as? String == "urn:fleet:problem:dependency-unavailable")
            #expect(!String(buffer: response.body).contains("session store failed"), "internals stay in the log")
            let other = try await client.execute(uri: "/layout", method: .get)
            #expect(other.status == .internalServerError, "other state errors are still bugs")
        }
    }
}
