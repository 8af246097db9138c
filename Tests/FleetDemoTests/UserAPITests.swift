import FleetDemo
import FleetHTTP
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct UserAPITests {
    @Test(arguments: DemoBackend.available)
    func createReadUpdateDelete(backend: DemoBackend) async throws {
        try await withDemo(backend) { client in
            let email = uniqueEmail("ada")
            let created = try await client.execute(uri: "/users", method: .post, headers: [.contentType: "application/json"], body: jsonBody(["name": "Ada Lovelace", "email": email.uppercased()]))
            #expect(created.status == .created)
            let user = try jsonObject(created)
            let id = try #require(user["id"] as? Int)
            #expect(created.headers[.location] == "/users/\(id)")
            #expect(user["name"] as? String == "Ada Lovelace")
            #expect(user["email"] as? String == email, "emails are stored lower-cased")

            let read = try await client.execute(uri: "/users/\(id)", method: .get)
            #expect(read.status == .ok)
            #expect(read.headers[.contentType] == "application/json")
            #expect(try jsonObject(read)["email"] as? String == email)

            let newEmail = uniqueEmail("countess")
            let updated = try await client.execute(uri: "/users/\(id)", method: .put, body: jsonBody(["name": "Augusta Ada King", "email": newEmail]))
            #expect(updated.status == .ok)
            #expect(try jsonObject(updated)["name"] as? String == "Augusta Ada King")
            let reread = try await client.execute(uri: "/users/\(id)", method: .get)
            #expect(try jsonObject(reread)["email"] as? String == newEmail)

            let deleted = try await client.execute(uri: "/users/\(id)", method: .delete)
            #expect(deleted.status == .noContent)
            #expect(deleted.body.readableBytes == 0)
            let gone = try await client.execute(uri: "/users/\(id)", method: .get)
            #expect(gone.status == .notFound)
            let deletedAgain = try await client.execute(uri: "/users/\(id)", method: .delete)
            #expect(deletedAgain.status == .notFound)
        }
    }

    @Test(arguments: DemoBackend.available)
    func keysetPagination(backend: DemoBackend) async throws {
        try await withDemo(backend) { client in
            var ids: [Int] = []
            for index in 0..<5 {
                let response = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "page \(index)", "email": uniqueEmail("page")]))
                ids.append(try #require(try jsonObject(response)["id"] as? Int))
            }
            // Walk pages of 2 from just before our first user; other tests may insert concurrently.
            var seen: [Int] = []
            var after = ids[0] - 1
            var pages = 0
            while pages < 100 {
                pages += 1
                let response = try await client.execute(uri: "/users?limit=2&after=\(after)", method: .get)
                #expect(response.status == .ok)
                let page = try jsonObject(response)
                let users = try #require(page["users"] as? [[String: Any]])
                #expect(users.count <= 2)
                seen += users.compactMap { $0["id"] as? Int }
                guard let next = page["next"] as? Int else { break }
                #expect(response.headers[HTTPField.Name("Link")!] == "</users?after=\(next)&limit=2>; rel=\"next\"")
                #expect(next == seen.last)
                if Set(ids).isSubset(of: seen) { break }
                after = next
            }
            #expect(seen == seen.sorted(), "pages come in id order")
            #expect(Set(seen).count == seen.count, "no user appears on two pages")
            #expect(Set(ids).isSubset(of: seen))
        }
    }

    @Test(arguments: DemoBackend.available)
    func duplicateEmailIsAConflict(backend: DemoBackend) async throws {
        try await withDemo(backend) { client in
            let email = uniqueEmail("twin")
            let first = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "One", "email": email]))
            #expect(first.status == .created)
            let second = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "Two", "email": email.uppercased()]))
            try expectProblem(second, status: .conflict, field: "email")

            let other = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "Three", "email": uniqueEmail("other")]))
            let otherID = try #require(try jsonObject(other)["id"] as? Int)
            let update = try await client.execute(uri: "/users/\(otherID)", method: .put, body: jsonBody(["name": "Three", "email": email]))
            try expectProblem(update, status: .conflict, field: "email")
        }
    }

    @Test(arguments: DemoBackend.available)
    func healthReportsTheDatabase(backend: DemoBackend) async throws {
        try await withDemo(backend) { client in
            for path in ["/health/ready", "/health"] {
                let ready = try await client.execute(uri: path, method: .get)
                #expect(ready.status == .ok)
                let body = try jsonObject(ready)
                #expect(body["status"] as? String == "ok")
                let checks = try #require(body["checks"] as? [String: Any])
                #expect((checks["database"] as? [String: Any])?["status"] as? String == "ok")
            }
            let live = try await client.execute(uri: "/health/live", method: .get)
            #expect(live.status == .ok)
        }
    }

    @Test func sqliteKeepsUsersAcrossRestarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = try DemoBackend.sqlite.configuration(stateDirectory: directory)
        configuration.logLevel = .warning
        let email = uniqueEmail("durable")
        let first = try await DemoService.makeApplication(configuration: configuration, logger: .init(label: "test"))
        let id = try await first.test(.router) { client in
            let created = try await client.execute(uri: "/users", method: .post, body: jsonBody(["name": "Durable", "email": email]))
            return try #require(try jsonObject(created)["id"] as? Int)
        }
        let second = try await DemoService.makeApplication(configuration: configuration, logger: .init(label: "test"))
        try await second.test(.router) { client in
            let read = try await client.execute(uri: "/users/\(id)", method: .get)
            #expect(read.status == .ok)
            #expect(try jsonObject(read)["email"] as? String == email)
        }
        #expect(FileManager.default.fileExists(atPath: "\(directory)/demo.sqlite"))
    }
}

/// Checks a problem+json answer: status, content type, and every member the API promises.
func expectProblem(_ response: TestResponse, status: HTTPResponse.Status, field: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let problem = try jsonObject(response)
    #expect((problem["type"] as? String)?.hasPrefix("urn:fleet:problem:") == true, sourceLocation: sourceLocation)
    #expect((problem["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
    #expect((problem["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["field"] as? String == field, sourceLocation: sourceLocation)
}
