import Foundation
import Testing

/// `GET /users/:id` through the cache of two `fleet serve` processes: a write
/// through one is read through the other.
@Suite(.serialized) struct CacheProcessTests {
    func request(_ port: Int, _ method: String, _ path: String, json: String? = nil) async throws -> (status: Int, body: String) {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if let json { text += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n" }
        text += "\r\n" + (json ?? "")
        return try await RawHTTPConnection.connect(port: port).exchange(sending: text)
    }

    /// Starts two processes on one state directory and creates a user; returns their ports and its id.
    func twoWorkers(_ environment: [String: String]) async throws -> (workers: [FleetProcess], ports: [Int], id: Int) {
        let workers = [try FleetProcess(["serve"], environment: environment), try FleetProcess(["serve"], environment: environment)]
        var ports: [Int] = []
        for worker in workers { ports.append(try await worker.listeningPort()) }
        let created = try await self.request(ports[0], "POST", "/users", json: #"{"name":"v0","email":"cached@example.com"}"#)
        #expect(created.status == 201)
        let id = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])["id"] as? Int
        return (workers, ports, try #require(id))
    }

    func stop(_ workers: [FleetProcess]) async throws {
        for worker in workers {
            worker.signal(SIGTERM)
            #expect(try await worker.exitStatus() == 0)
        }
    }

    @Test func embeddedWorkersReadEachOthersWritesAtOnce() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let (workers, ports, id) = try await self.twoWorkers(["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": ""])
        for round in 1...20 {
            // Both caches hold the current name...
            for port in ports {
                #expect(try await self.request(port, "GET", "/users/\(id)").body.contains(#""name":"v\#(round - 1)""#))
            }
            // ...and the first read after a write through the other worker has the new one.
            let updated = try await self.request(ports[0], "PUT", "/users/\(id)", json: #"{"name":"v\#(round)","email":"cached@example.com"}"#)
            #expect(updated.status == 200)
            let read = try await self.request(ports[1], "GET", "/users/\(id)")
            #expect(read.body.contains(#""name":"v\#(round)""#), "round \(round): \(read.body)")
        }
        #expect(try await self.request(ports[0], "DELETE", "/users/\(id)").status == 204)
        #expect(try await self.request(ports[1], "GET", "/users/\(id)").status == 404)
        try await self.stop(workers)
    }

    /// With Redis, the other worker's L1 drops the user when the invalidation
    /// arrives over pub/sub; prints the time from the write to the first read
    /// of the new value through the other process.
    @Test(.enabled(if: RedisTestServer.enabled, "set REDIS_URL to run against Redis"))
    func redisWorkersReadEachOthersWritesWithinMilliseconds() async throws {
        let url = try #require(RedisTestServer.url, "CI=true but REDIS_URL is not set")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": url, "CACHE_PREFIX": RedisTestServer.prefix()]
        let (workers, ports, id) = try await self.twoWorkers(environment)
        var samples: [Duration] = []
        for round in 1...20 {
            // Wait for the previous round's invalidation too, then hold the name in both L1s.
            for port in ports {
                #expect(try await eventually { try await self.request(port, "GET", "/users/\(id)").body.contains(#""name":"v\#(round - 1)""#) })
            }
            let start = ContinuousClock.now
            let updated = try await self.request(ports[0], "PUT", "/users/\(id)", json: #"{"name":"v\#(round)","email":"cached@example.com"}"#)
            #expect(updated.status == 200)
            // Poll without sleeping: each read is one loopback round trip.
            while try await !self.request(ports[1], "GET", "/users/\(id)").body.contains(#""name":"v\#(round)""#) {
                try #require(ContinuousClock.now - start < .seconds(5), "round \(round): the write was not seen within 5 s")
            }
            samples.append(ContinuousClock.now - start)
        }
        samples.sort()
        print("cache propagation between two fleet serve processes over Redis (PUT sent to new value read on the other): median \(samples[samples.count / 2]), max \(samples.last!)")
        try await self.stop(workers)
    }
}
