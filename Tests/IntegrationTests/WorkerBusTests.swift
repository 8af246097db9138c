import Foundation
import Testing

/// The supervisor's bus: what one worker publishes, the other workers receive.
@Suite(.serialized) struct WorkerBusTests {
    func request(_ line: String, port: Int) async throws -> [Substring] {
        let response = try await RawHTTPConnection.connect(port: port).exchange(sending: "\(line) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(response.status == 200)
        return response.body.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `/received` from each instance, asking on new connections until the kernel has spread them over all.
    func receivedByInstance(port: Int, instances: Int) async throws -> [String: [Substring]] {
        var seen: [String: [Substring]] = [:]
        for _ in 0..<200 where seen.count < instances {
            let lines = try await self.request("GET /received", port: port)
            seen[String(lines[0])] = Array(lines.dropFirst())
        }
        #expect(seen.count == instances, "every worker answered")
        return seen
    }

    @Test func aMessageReachesEveryOtherWorkerInOrder() async throws {
        let fleet = try await SupervisorTests().start(instances: 3, worker: [FleetProcess.testWorker])
        let answer = try await self.request("POST /publish?count=200&text=hello", port: fleet.port)
        let parts = answer[0].split(separator: " ")
        let publisher = String(parts[0])
        #expect(parts[1] == "200", "all 200 published")
        let expected = (1...200).map { Substring("hello-\($0)") }
        let deadline = ContinuousClock.now + .seconds(10)
        var received: [String: [Substring]] = [:]
        repeat {
            received = try await self.receivedByInstance(port: fleet.port, instances: 3)
            if received.filter({ $0.key != publisher }).allSatisfy({ $0.value.count >= 200 }) { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        for (instance, payloads) in received {
            if instance == publisher {
                #expect(payloads.isEmpty || payloads == [""], "the publisher does not hear itself")
            } else {
                #expect(payloads == expected, "instance \(instance) got every message, in order")
            }
        }
        try await fleet.stop()
    }
}
