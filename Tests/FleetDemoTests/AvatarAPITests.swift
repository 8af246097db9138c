import FleetDemo
import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct AvatarAPITests {
    func createUser(_ client: some TestClientProtocol) async throws -> Int {
        let created = try await client.execute(uri: "/users", method: .post, headers: [.contentType: "application/json"], body: jsonBody(["name": "Ada", "email": uniqueEmail()]))
        #expect(created.status == .created)
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: created.body).utf8)) as? [String: Any]
        return try #require(object?["id"] as? Int)
    }

    @Test func uploadReadReplaceDelete() async throws {
        try await withDemo(.sqlite) { client in
            let id = try await self.createUser(client)
            let png = ByteBuffer(bytes: (0..<3000).map { UInt8($0 % 251) })
            let put = try await client.execute(uri: "/users/\(id)/avatar", method: .put, headers: [.contentType: "image/png"], body: png)
            #expect(put.status == .noContent)
            let got = try await client.execute(uri: "/users/\(id)/avatar", method: .get)
            #expect(got.status == .ok)
            #expect(got.body == png)
            #expect(got.headers[.contentType] == "image/png")
            let etag = try #require(got.headers[.eTag])
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .get, headers: [.ifNoneMatch: etag]).status == .notModified)
            let jpeg = ByteBuffer(string: "jpeg bytes")
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .put, headers: [.contentType: "image/jpeg; q=1"], body: jpeg).status == .noContent)
            let replaced = try await client.execute(uri: "/users/\(id)/avatar", method: .get)
            #expect(replaced.body == jpeg && replaced.headers[.contentType] == "image/jpeg")
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .delete).status == .noContent)
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .delete).status == .notFound)
        }
    }

    @Test func aWrongTypeIs415NamingTheHeader() async throws {
        try await withDemo(.sqlite) { client in
            let id = try await self.createUser(client)
            let response = try await client.execute(uri: "/users/\(id)/avatar", method: .put, headers: [.contentType: "text/html"], body: ByteBuffer(string: "<script>"))
            #expect(response.status == .unsupportedMediaType)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
            #expect(problem?["field"] as? String == "Content-Type")
            #expect(problem?["type"] as? String == "urn:fleet:problem:unsupported-media-type")
        }
    }

    @Test func anAvatarOverTheLimitIs413AndNotStored() async throws {
        try await withDemo(.sqlite, configure: { $0.avatarLimit = 1024 }) { client in
            let id = try await self.createUser(client)
            let response = try await client.execute(uri: "/users/\(id)/avatar", method: .put, headers: [.contentType: "image/png"], body: ByteBuffer(repeating: 1, count: 2048))
            #expect(response.status == .contentTooLarge)
            #expect(String(buffer: response.body).contains(#""field":"body""#))
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .get).status == .notFound)
        }
    }

    @Test func anAvatarLargerThanTheJSONBodyLimitIsAccepted() async throws {
        try await withDemo(.sqlite, configure: { $0.bodyLimit = 1024 }) { client in
            let id = try await self.createUser(client)
            let body = ByteBuffer(repeating: 7, count: 64 * 1024)
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .put, headers: [.contentType: "image/webp"], body: body).status == .noContent)
            #expect(try await client.execute(uri: "/users/\(id)/avatar", method: .get).body == body)
        }
    }

    @Test func noSuchUserIs404() async throws {
        try await withDemo(.sqlite) { client in
            let response = try await client.execute(uri: "/users/999999/avatar", method: .put, headers: [.contentType: "image/png"], body: ByteBuffer(string: "x"))
            #expect(response.status == .notFound)
        }
    }
}
