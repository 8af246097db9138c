import Foundation
import Testing

/// Login sessions across real `fleet serve` processes: what one worker starts,
/// ends or regenerates, every other worker sees, on embedded state (one state
/// directory) and on Redis (one `REDIS_URL`).
@Suite(.serialized) struct SessionProcessTests {
    enum Backend: String, CustomTestStringConvertible, Sendable {
        case embedded
        case redis

        var testDescription: String { rawValue }

        /// Redis only when there is one (always on CI).
        static var available: [Backend] { RedisTestServer.enabled ? [.embedded, .redis] : [.embedded] }

        func environment(state: String) throws -> [String: String] {
            var environment = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "SESSION_SECRETS": ""]
            if self == .redis {
                guard let url = RedisTestServer.url else { throw FleetProcessError(message: "CI=true but REDIS_URL is not set") }
                environment["REDIS_URL"] = url
                environment["SESSION_SECRETS"] = "integration-secret-\(UUID().uuidString)"
                // Every run numbers its users from 1: keep its sessions apart from earlier runs'.
                environment["SESSION_KEY_PREFIX"] = RedisTestServer.prefix()
            }
            return environment
        }
    }

    /// Two workers on one state directory (and one Redis, for `.redis`), stopped after `body`.
    func withTwoWorkers(_ backend: Backend, _ body: (_ first: Int, _ second: Int) async throws -> Void) async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-session-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = try backend.environment(state: state)
        let workers = [try FleetProcess(["serve"], environment: environment), try FleetProcess(["serve"], environment: environment)]
        let first = try await workers[0].listeningPort()
        let second = try await workers[1].listeningPort()
        try await body(first, second)
        let sessionsFile = FileManager.default.fileExists(atPath: state + "/sessions.sqlite")
        #expect(sessionsFile == (backend == .embedded), "sessions live in \(backend == .embedded ? "SQLite" : "Redis")")
        for worker in workers {
            worker.signal(SIGTERM)
            #expect(try await worker.exitStatus() == 0)
        }
    }

    func request(_ method: String, _ path: String, cookie: String? = nil, json: String? = nil) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if let cookie { text += "Cookie: \(cookie)\r\n" }
        if let json {
            text += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        } else {
            text += "Content-Length: 0\r\n\r\n"
        }
        return text
    }

    func send(_ port: Int, _ method: String, _ path: String, cookie: String? = nil, json: String? = nil) async throws
        -> (status: Int, cookie: String?, body: String)
    {
        let response = try await RawHTTPConnection.connect(port: port).exchangeWithHeaders(sending: self.request(method, path, cookie: cookie, json: json))
        let setCookie = response.headers.first { $0.name == "set-cookie" && $0.value.hasPrefix("fleet_session=") }
        return (response.status, setCookie.map { String($0.value.prefix { $0 != ";" }) }, response.body)
    }

    /// Creates a user through `port` and logs them in; returns the session cookie.
    func login(_ port: Int, email: String, create: Bool = true, cookie: String? = nil) async throws -> String {
        if create {
            let created = try await self.send(port, "POST", "/users", json: #"{"name":"Session test","email":"\#(email)"}"#)
            #expect(created.status == 201, "\(created.body)")
        }
        let login = try await self.send(port, "POST", "/login", cookie: cookie, json: #"{"email":"\#(email)"}"#)
        #expect(login.status == 200, "\(login.body)")
        return try #require(login.cookie, "login sets the session cookie")
    }

    @Test(arguments: Backend.available)
    func aLoginOnOneWorkerIsSeenByTheOther(_ backend: Backend) async throws {
        try await self.withTwoWorkers(backend) { first, second in
            let email = "ada-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let anonymous = try await self.send(second, "GET", "/me")
            #expect(anonymous.status == 401)
            #expect(anonymous.body.contains("urn:fleet:problem:unauthenticated"))

            let cookie = try await self.login(first, email: email)
            let me = try await self.send(second, "GET", "/me", cookie: cookie)
            #expect(me.status == 200)
            #expect(me.body.contains(#""email":"\#(email)""#))

            let logout = try await self.send(second, "POST", "/logout", cookie: cookie)
            #expect(logout.status == 204)
            #expect(try await self.send(first, "GET", "/me", cookie: cookie).status == 401, "logged out on the other worker")
        }
    }

    @Test(arguments: Backend.available)
    func aSessionIDPlantedBeforeLoginIsNotTheOneAfter(_ backend: Backend) async throws {
        try await self.withTwoWorkers(backend) { first, second in
            // The attacker gets a valid session of their own and plants its cookie in the victim's browser.
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let planted = try await self.login(first, email: "mallory-\(suffix)@example.com")
            let victim = "victim-\(suffix)@example.com"
            let afterLogin = try await self.login(second, email: victim, cookie: planted)
            #expect(afterLogin != planted, "login issues a new id")
            let attacker = try await self.send(first, "GET", "/me", cookie: planted)
            #expect(attacker.status == 401, "the planted id is dead, not the victim's session: \(attacker.body)")
            let me = try await self.send(first, "GET", "/me", cookie: afterLogin)
            #expect(me.body.contains(victim))

            // A forged id the server never issued is ignored, and replaced at login.
            let forged = "fleet_session=\(String(repeating: "A", count: 32))"
            let fresh = try await self.login(first, email: victim, create: false, cookie: forged)
            #expect(fresh != forged)
        }
    }

    @Test(arguments: Backend.available)
    func logoutAllOnOneWorkerEndsTheSessionsOnTheOther(_ backend: Backend) async throws {
        try await self.withTwoWorkers(backend) { first, second in
            let email = "grace-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let laptop = try await self.login(first, email: email)
            let phone = try await self.login(second, email: email, create: false)
            let bystander = try await self.login(second, email: "bystander-\(UUID().uuidString.prefix(8).lowercased())@example.com")
            #expect(try await self.send(second, "GET", "/me", cookie: laptop).status == 200)

            let ended = try await self.send(first, "POST", "/logout-all", cookie: laptop)
            #expect(ended.status == 200)
            #expect(ended.body == #"{"ended":2}"#)
            for port in [first, second] {
                #expect(try await self.send(port, "GET", "/me", cookie: phone).status == 401)
                #expect(try await self.send(port, "GET", "/me", cookie: laptop).status == 401)
                #expect(try await self.send(port, "GET", "/me", cookie: bystander).status == 200, "another user's session is untouched")
            }
        }
    }
}
