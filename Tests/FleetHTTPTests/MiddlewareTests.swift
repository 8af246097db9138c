import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite struct MiddlewareTests {
    struct Boom: Error {}

    func app(bodyLimit: Int = 1024) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware(limit: bodyLimit))
        router.get("/ok") { _, _ in "ok" }
        router.get("/boom") { _, _ -> String in throw Boom() }
        router.get("/teapot") { _, _ -> String in throw HTTPError(.init(code: 418, reasonPhrase: "I'm a teapot"), message: "short and stout") }
        router.post("/echo") { request, _ in Response(status: .ok, body: .init(byteBuffer: try await request.body.collect(upTo: .max))) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: router, logger: logger)
    }

    @Test func unexpectedErrorsBecomeAProblemWithoutInternals() async throws {
        try await self.app().test(.router) { client in
            let response = try await client.execute(uri: "/boom", method: .get)
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/problem+json")
            let body = String(buffer: response.body)
            #expect(body.contains(#""type":"urn:fleet:problem:internal""#))
            #expect(!body.contains("Boom"), "the error's type never reaches the client")
            let requestID = try #require(response.headers[.requestID])
            #expect(body.contains(requestID), "the detail quotes the request id for support")
        }
    }

    @Test func httpErrorsKeepTheirStatus() async throws {
        try await self.app().test(.router) { client in
            let response = try await client.execute(uri: "/teapot", method: .get)
            #expect(response.status.code == 418)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
            #expect(body["type"] as? String == "urn:fleet:problem:i'm-a-teapot")
            #expect(body["detail"] as? String == "short and stout")
            #expect(body["status"] as? Int == 418)
        }
    }

    @Test func unknownRoutesAreProblems() async throws {
        try await self.app().test(.router) { client in
            let response = try await client.execute(uri: "/missing", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(String(buffer: response.body).contains("GET /missing"))
        }
    }

    @Test func requestIDsAreEchoedOrMade() async throws {
        try await self.app().test(.router) { client in
            let given = try await client.execute(uri: "/ok", method: .get, headers: [.requestID: "trace-123.abc:4"])
            #expect(given.headers[.requestID] == "trace-123.abc:4")
            let hostile = try await client.execute(uri: "/ok", method: .get, headers: [.requestID: "evil\"id with spaces"])
            let replaced = try #require(hostile.headers[.requestID])
            #expect(replaced != "evil\"id with spaces")
            #expect(!replaced.isEmpty)
            let none = try await client.execute(uri: "/ok", method: .get)
            let made = try #require(none.headers[.requestID])
            let other = try #require(try await client.execute(uri: "/ok", method: .get).headers[.requestID])
            #expect(made != other, "each request gets its own id")
        }
    }

    @Test func bodyLimitChecksDeclaredAndChunkedBodies() async throws {
        try await self.app(bodyLimit: 8).test(.router) { client in
            let fits = try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: "12345678"))
            #expect(fits.status == .ok)
            #expect(String(buffer: fits.body) == "12345678")
            let declared = try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: "123456789"))
            #expect(declared.status == .contentTooLarge)
            #expect(declared.headers[.contentType] == "application/problem+json")
        }
        try await self.app(bodyLimit: 8).test(.live) { client in
            // A chunked body has no Content-Length to check up front.
            let chunked = try await client.execute(uri: "/echo", method: .post, headers: [.transferEncoding: "chunked"], body: ByteBuffer(string: String(repeating: "x", count: 100)))
            #expect(chunked.status == .contentTooLarge)
        }
    }
}
