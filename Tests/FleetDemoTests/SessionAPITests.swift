import FleetDemo
import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct SessionAPITests {
    func sessionCookie(_ response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("fleet_session=") }.map { String($0.prefix { $0 != ";" }) }
    }

    @Test(arguments: DemoBackend.available)
    func loginMeLogout(backend: DemoBackend) async throws {
        try await withDemo(backend) { client in
            let email = uniqueEmail("ada")
            let created = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "Ada", "email": email]))
            let id = try #require(try jsonObject(created)["id"] as? Int)

            let login = try await client.execute(uri: "/login", method: .post, body: jsonBody(["email": email.uppercased()]))
            #expect(login.status == .ok)
            #expect(try jsonObject(login)["id"] as? Int == id)
            let cookie = try #require(self.sessionCookie(login))

            let me = try await client.execute(uri: "/me", method: .get, headers: [.cookie: cookie])
            #expect(me.status == .ok)
            #expect(try jsonObject(me)["email"] as? String == email)

            let logout = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie])
            #expect(logout.status == .noContent)
            #expect(self.sessionCookie(logout) == "fleet_session=")
            #expect(try await client.execute(uri: "/me", method: .get, headers: [.cookie: cookie]).status == .unauthorized)
        }
    }

    @Test func anonymousAndBadLoginsAreProblems() async throws {
        try await withDemo(.sqlite) { client in
            let cases: [(String, HTTPRequest.Method, ByteBuffer?, HTTPResponse.Status, String)] = [
                ("/me", .get, nil, .unauthorized, "unauthenticated"),
                ("/logout-all", .post, nil, .unauthorized, "unauthenticated"),
                ("/login", .post, jsonBody(["email": uniqueEmail("nobody")]), .unauthorized, "unauthenticated"),
                ("/login", .post, jsonBody(["email": "not an address"]), .unprocessableContent, "invalid-field"),
                ("/login", .post, jsonBody([:]), .unprocessableContent, "invalid-field"),
                ("/login", .post, ByteBuffer(string: "{"), .badRequest, "malformed-json"),
            ]
            for (uri, method, body, status, kind) in cases {
                let response = try await client.execute(uri: uri, method: method, body: body)
                #expect(response.status == status, "\(method) \(uri)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(try jsonObject(response)["type"] as? String == "urn:fleet:problem:\(kind)", "\(method) \(uri)")
            }
            let logout = try await client.execute(uri: "/logout", method: .post)
            #expect(logout.status == .noContent, "logging out when anonymous is harmless")
        }
    }

    @Test func aForgedCookieIsAnonymousNotAnError() async throws {
        try await withDemo(.sqlite) { client in
            let forged = "fleet_session=\(String(repeating: "A", count: 32)).\(String(repeating: "B", count: 43))"
            let me = try await client.execute(uri: "/me", method: .get, headers: [.cookie: forged])
            #expect(me.status == .unauthorized)
            let hello = try await client.execute(uri: "/hello", method: .get, headers: [.cookie: forged])
            #expect(hello.status == .ok)
        }
    }
}
