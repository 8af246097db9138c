import FleetHTTP
import Foundation
import Logging
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// One bad request and the problem it must produce.
struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    let method: HTTPRequest.Method
    let uri: String
    let headers: HTTPFields
    let body: String?
    let status: HTTPResponse.Status
    let field: String?

    init(_ name: String, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:], status: HTTPResponse.Status, field: String?) {
        self.name = name
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.status = status
        self.field = field
    }

    var testDescription: String { self.name }

    static let all: [BadInput] = [
        BadInput("malformed JSON", .post, "/users", body: #"{"name": "Ada", "email": "#, status: .badRequest, field: nil),
        BadInput("not an object", .post, "/users", body: #"["Ada"]"#, status: .badRequest, field: "body"),
        BadInput("empty body", .post, "/users", body: "", status: .badRequest, field: nil),
        BadInput("name of the wrong type", .post, "/users", body: #"{"name": 42, "email": "a@example.com"}"#, status: .unprocessableContent, field: "name"),
        BadInput("email of the wrong type", .post, "/users", body: #"{"name": "Ada", "email": ["a@example.com"]}"#, status: .unprocessableContent, field: "email"),
        BadInput("missing email", .post, "/users", body: #"{"name": "Ada"}"#, status: .unprocessableContent, field: "email"),
        BadInput("missing name", .post, "/users", body: #"{"email": "a@example.com"}"#, status: .unprocessableContent, field: "name"),
        BadInput("null name", .post, "/users", body: #"{"name": null, "email": "a@example.com"}"#, status: .unprocessableContent, field: "name"),
        BadInput("empty name", .post, "/users", body: #"{"name": "   ", "email": "a@example.com"}"#, status: .unprocessableContent, field: "name"),
        BadInput("overlong name", .post, "/users", body: #"{"name": "\#(String(repeating: "n", count: 101))", "email": "a@example.com"}"#, status: .unprocessableContent, field: "name"),
        BadInput("overlong email", .post, "/users", body: #"{"name": "Ada", "email": "\#(String(repeating: "e", count: 250))@example.com"}"#, status: .unprocessableContent, field: "email"),
        BadInput("invalid email", .post, "/users", body: #"{"name": "Ada", "email": "not-an-address"}"#, status: .unprocessableContent, field: "email"),
        BadInput("email without a dotted domain", .post, "/users", body: #"{"name": "Ada", "email": "ada@localhost"}"#, status: .unprocessableContent, field: "email"),
        BadInput("email with two @", .post, "/users", body: #"{"name": "Ada", "email": "a@b@example.com"}"#, status: .unprocessableContent, field: "email"),
        BadInput("not JSON content type", .post, "/users", body: "name=Ada", headers: [.contentType: "application/x-www-form-urlencoded"], status: .unsupportedMediaType, field: "Content-Type"),
        BadInput("body over the limit", .post, "/users", body: #"{"name": "\#(String(repeating: "x", count: 1 << 20))", "email": "a@example.com"}"#, status: .contentTooLarge, field: "body"),
        BadInput("non-numeric id", .get, "/users/abc", status: .badRequest, field: "id"),
        BadInput("zero id", .get, "/users/0", status: .badRequest, field: "id"),
        BadInput("negative id", .get, "/users/-7", status: .badRequest, field: "id"),
        BadInput("id past Int64", .get, "/users/99999999999999999999", status: .badRequest, field: "id"),
        BadInput("non-numeric id on PUT", .put, "/users/x1", body: #"{"name": "Ada", "email": "a@example.com"}"#, status: .badRequest, field: "id"),
        BadInput("non-numeric id on DELETE", .delete, "/users/1.5", status: .badRequest, field: "id"),
        BadInput("unknown user", .get, "/users/9223372036854775807", status: .notFound, field: "id"),
        BadInput("PUT of an unknown user", .put, "/users/9223372036854775806", body: #"{"name": "Ada", "email": "nobody-\#(UUID().uuidString)@example.com"}"#, status: .notFound, field: "id"),
        BadInput("unknown route", .get, "/no/such/route", status: .notFound, field: nil),
        BadInput("limit of zero", .get, "/users?limit=0", status: .badRequest, field: "limit"),
        BadInput("limit over the maximum", .get, "/users?limit=101", status: .badRequest, field: "limit"),
        BadInput("non-numeric limit", .get, "/users?limit=ten", status: .badRequest, field: "limit"),
        BadInput("negative cursor", .get, "/users?after=-1", status: .badRequest, field: "after"),
        BadInput("non-numeric cursor", .get, "/users?after=abc", status: .badRequest, field: "after"),
        BadInput("chat room with a space", .get, "/chat/a%20b/presence", status: .badRequest, field: "room"),
        BadInput("chat without the upgrade", .get, "/chat/lobby", status: .upgradeRequired, field: "Upgrade"),
    ]
}

@Suite struct BadInputTests {
    @Test(arguments: DemoBackend.available, BadInput.all)
    func answersAProblem(backend: DemoBackend, input: BadInput) async throws {
        try await withDemo(backend) { client in
            let response = try await client.execute(
                uri: input.uri,
                method: input.method,
                headers: input.headers,
                body: input.body.map { ByteBuffer(string: $0) }
            )
            try expectProblem(response, status: input.status, field: input.field)
        }
    }

    @Test func bodyLimitIsConfigurable() async throws {
        try await withDemo(.sqlite, configure: { $0.bodyLimit = 128 }) { client in
            let small = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "A", "email": uniqueEmail()]))
            #expect(small.status == .created)
            let large = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": String(repeating: "a", count: 150), "email": uniqueEmail()]))
            try expectProblem(large, status: .contentTooLarge, field: "body")
        }
    }
}
