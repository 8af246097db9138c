import Foundation
import NIOCore
import Testing

/// `fleet serve` as a user runs it: a real process, real sockets, real signals.
@Suite(.serialized) struct ServeProcessTests {
    func stateDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fleet-serve-\(UUID().uuidString)").path
    }

    func post(_ port: Int, name: String, email: String) -> String {
        let body = #"{"name":"\#(name)","email":"\#(email)"}"#
        return "POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    func get(_ path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    }

    @Test func embeddedStateSurvivesARestart() async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": ""]

        let first = try FleetProcess(["serve"], environment: environment)
        let port = try await first.listeningPort()
        let created = try await RawHTTPConnection.connect(port: port).exchange(sending: self.post(port, name: "Grace", email: "grace@example.com"))
        #expect(created.status == 201)
        let id = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])["id"] as? Int
        first.signal(SIGTERM)
        #expect(try await first.exitStatus() == 0)

        let second = try FleetProcess(["serve"], environment: environment)
        let secondPort = try await second.listeningPort()
        let read = try await RawHTTPConnection.connect(port: secondPort).exchange(sending: self.get("/users/\(try #require(id))"))
        #expect(read.status == 200)
        #expect(read.body.contains(#""email":"grace@example.com""#))
        second.signal(SIGTERM)
        #expect(try await second.exitStatus() == 0)
    }

    @Test func sigtermAnswersEveryRequestInFlight() async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let server = try FleetProcess(["serve"], environment: ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "DRAIN_TIMEOUT": "20s"])
        let port = try await server.listeningPort()

        // Each request sends its head and half its body, so the server is in the
        // middle of every one of them when SIGTERM arrives; the rest follows after.
        let inFlight = 20
        let connections = try await (0..<inFlight).asyncMap { _ in try await RawHTTPConnection.connect(port: port) }
        let signalled = AsyncGate()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, connection) in connections.enumerated() {
                let request = self.post(port, name: "inflight \(index)", email: "inflight-\(index)@example.com")
                let split = request.index(request.endIndex, offsetBy: -10)
                group.addTask {
                    try await connection.exchange(sending: String(request[..<split]), then: String(request[split...])) {
                        await signalled.wait()
                    }.status
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            server.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.process.isRunning, "the server waits for its in-flight requests")
            await signalled.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.count == inFlight)
        #expect(statuses.allSatisfy { $0 == 201 }, "statuses: \(statuses)")
        #expect(try await server.exitStatus(timeout: .seconds(20)) == 0)
        #expect(server.jsonLines.contains { $0["message"] as? String == "stopped" })
        await #expect(throws: (any Error).self, "a stopped server accepts nothing") {
            _ = try await RawHTTPConnection.connect(port: port)
        }
    }

    @Test func logsAreJSONLinesWithTheRequestID() async throws {
        let state = self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let server = try FleetProcess(["serve"], environment: ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": ""])
        let port = try await server.listeningPort()
        let response = try await RawHTTPConnection.connect(port: port).exchange(
            sending: "GET /users/424242 HTTP/1.1\r\nHost: x\r\nX-Request-Id: probe-77\r\nConnection: close\r\n\r\n"
        )
        #expect(response.status == 404)
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)
        let access = try #require(server.jsonLines.first { $0["hb.request.id"] as? String == "probe-77" })
        #expect(access["message"] as? String == "request")
        #expect(access["http.method"] as? String == "GET")
        #expect(access["url.path"] as? String == "/users/424242")
        #expect(access["http.status"] as? String == "404")
        #expect(access["duration_ms"] as? String != nil)
        #expect(access["time"] as? String != nil)
        #expect(access["level"] as? String == "info")
        #expect(access["pid"] as? Int == Int(server.process.processIdentifier))
        let unparsable = server.lines.filter { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil }
        #expect(unparsable.isEmpty, "every line is JSON: \(unparsable)")
    }

    @Test(arguments: [
        ("PORT", "eighty", "PORT=\"eighty\" is not valid: expected an integer from 0 to 65535"),
        ("LOG_FORMAT", "yaml", "LOG_FORMAT=\"yaml\" is not valid: expected json or text"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL=\"mysql://x\" is not valid: expected a URL starting with postgres:// or postgresql://"),
    ])
    func badConfigurationStopsTheStart(variable: String, value: String, message: String) async throws {
        var environment = ["PORT": "0", "DATABASE_URL": ""]
        environment[variable] = value
        let server = try FleetProcess(["serve"], environment: environment)
        #expect(try await server.exitStatus() == 78)
        #expect(server.lines.contains { $0.contains(message) }, "output: \(server.lines)")
    }
}

/// A one-shot gate tasks wait on until it opens.
actor AsyncGate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if self.isOpen { return }
        await withCheckedContinuation { self.waiters.append($0) }
    }

    func open() {
        self.isOpen = true
        for waiter in self.waiters { waiter.resume() }
        self.waiters = []
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
