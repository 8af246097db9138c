import FleetDemo
import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /reports` over a live connection (the offloaded handler watches it for hang-ups).
@Suite struct ReportAPITests {
    /// `"fleet"` 1000 times, 3 rounds, as Python's hashlib computes it.
    static let body = ByteBuffer(string: String(repeating: "fleet", count: 1000))
    static let threeRounds = "ff82aea174f2eba3aa5b361e822bc6434b3a36d75155af3e6c81a7f24b09df77"

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
    }

    @Test func aReportIsTheChainedDigestOfItsBody() async throws {
        try await withDemo(.sqlite, setup: .live) { client in
            let response = try await client.execute(uri: "/reports?rounds=3", method: .post, body: Self.body)
            #expect(response.status == .ok)
            let report = try self.json(response)
            #expect(report["sha256"] as? String == Self.threeRounds)
            #expect(report["bytes"] as? Int == 5000)
            #expect(report["run"] as? String == "offload")
            let one = try self.json(try await client.execute(uri: "/reports?rounds=1", method: .post, body: Self.body))
            #expect(one["sha256"] as? String == "dce4258ebde77668496f8c5cbfd356b81954ba480b5c93d493a5e11121679e59", "one round is plain SHA-256")
        }
    }

    @Test func badParametersAreProblemsNamingThem() async throws {
        try await withDemo(.sqlite, setup: .live) { client in
            for (query, field) in [("rounds=0", "rounds"), ("rounds=ten", "rounds"), ("rounds=10001", "rounds"), ("run=gpu", "run"), ("run=loop", "run")] {
                let response = try await client.execute(uri: "/reports?\(query)", method: .post, body: Self.body)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(try self.json(response)["field"] as? String == field, "\(query)")
            }
        }
    }

    @Test func theComparisonsRunTheSameWorkElsewhereOnlyWithBenchRoutes() async throws {
        try await withDemo(.sqlite, setup: .live, configure: { $0.benchmarkRoutes = true }) { client in
            for run in ["loop", "inline"] {
                let report = try self.json(try await client.execute(uri: "/reports?rounds=3&run=\(run)", method: .post, body: Self.body))
                #expect(report["sha256"] as? String == Self.threeRounds, "\(run)")
                #expect(report["run"] as? String == run)
            }
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        try await withDemo(.sqlite, setup: .live, configure: { $0.bodyLimit = 4096 }) { client in
            let response = try await client.execute(uri: "/reports", method: .post, body: Self.body)
            #expect(response.status == .contentTooLarge)
            #expect(try self.json(response)["field"] as? String == "body")
            let small = try await client.execute(uri: "/reports", method: .post, body: ByteBuffer(string: "small"))
            #expect(small.status == .ok)
        }
    }
}
