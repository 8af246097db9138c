import Foundation
import Testing

/// The embedded backend must stay correct across every worker of one machine:
/// two `fleet serve` processes on one state directory act as one store.
@Suite(.serialized) struct SharedSQLiteTests {
    func post(name: String, email: String) -> String {
        let body = #"{"name":"\#(name)","email":"\#(email)"}"#
        return "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    @Test func twoProcessesShareOneStore() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-shared-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": ""]
        let workers = [try FleetProcess(["serve"], environment: environment), try FleetProcess(["serve"], environment: environment)]
        var ports: [Int] = []
        for worker in workers {
            ports.append(try await worker.listeningPort())
        }

        // Concurrent writes through both processes: none may fail with SQLITE_BUSY or be lost.
        let perWorker = 40
        let created = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, port) in ports.enumerated() {
                for request in 0..<perWorker {
                    group.addTask {
                        try await RawHTTPConnection.connect(port: port)
                            .exchange(sending: self.post(name: "w\(index)", email: "w\(index)-\(request)@example.com"))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(created.allSatisfy { $0.0 == 201 }, "statuses: \(created.map(\.0))")
        let ids = created.compactMap { try? JSONSerialization.jsonObject(with: Data($0.1.utf8)) as? [String: Any] }.compactMap { $0["id"] as? Int }
        #expect(Set(ids).count == 2 * perWorker, "every write got its own id")

        // Each process reads what the other wrote.
        for port in ports {
            let page = try await RawHTTPConnection.connect(port: port).exchange(sending: "GET /users?limit=100 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let users = try #require(try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])["users"] as? [[String: Any]]
            #expect(Set(try #require(users).compactMap { $0["id"] as? Int }) == Set(ids))
        }

        // The same email raced through both processes: exactly one wins.
        let raced = try await withThrowingTaskGroup(of: Int.self) { group in
            for attempt in 0..<10 {
                let port = ports[attempt % 2]
                group.addTask {
                    try await RawHTTPConnection.connect(port: port).exchange(sending: self.post(name: "racer", email: "race@example.com")).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(raced.filter { $0 == 201 }.count == 1, "statuses: \(raced)")
        #expect(raced.filter { $0 == 409 }.count == 9, "statuses: \(raced)")

        for worker in workers {
            worker.signal(SIGTERM)
            #expect(try await worker.exitStatus() == 0)
        }
    }
}
