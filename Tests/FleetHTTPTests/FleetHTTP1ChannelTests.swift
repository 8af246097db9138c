import FleetHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Fleet's HTTP/1.1 server over a real socket: fast routes answer, the router answers the rest.
@Suite struct FleetHTTP1ChannelTests {
    @Test func fastRoutesAnswerAndTheRouterServesTheRest() async throws {
        let router = Router()
        router.get("/hello") { _, _ in "from the router" }
        router.post("/hello") { _, _ in "posted" }
        router.get("/users/:id") { _, context in "router user \(try context.parameters.require("id"))" }
        var fast = FastRoutes()
        fast.get("/hello") { _ in .text("fast") }
        fast.get("/users/:id") { request in request.parameter == "1" ? .json(ByteBuffer(string: #"{"id":1}"#)) : nil }
        let app = Application(router: router, server: .fleet(fastRoutes: fast, logger: Logger(label: "test")))
        try await app.test(.live) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/hello", method: .get) { response in
                    #expect(String(buffer: response.body) == "fast")
                    #expect(response.headers[.requestID] != nil)
                }
            }
            try await client.execute(uri: "/hello", method: .post) { #expect(String(buffer: $0.body) == "posted") }
            try await client.execute(uri: "/users/1", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"id":1}"#)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            }
            try await client.execute(uri: "/users/2", method: .get) { #expect(String(buffer: $0.body) == "router user 2") }
            try await client.execute(uri: "/hello", method: .get) { #expect(String(buffer: $0.body) == "fast", "after a routed request, fast again") }
        }
    }
}
