import Foundation
import NIOCore
import Testing

/// A real Prometheus (Debian's `prometheus`) on a free loopback port under a
/// temporary directory, scraping the targets it is given every second.
/// Skipped without the binary, except on CI (`CI=true`), where the test fails.
final class PrometheusServer: Sendable {
    static let executable = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let enabled = executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    let process: Process
    let directory: URL
    let port: Int

    /// - Parameter targets: job name to `host:port` targets, each scraped at `/metrics`.
    init(targets: [String: [String]]) throws {
        let executable = try #require(Self.executable, "CI=true but prometheus is not installed (apt-get install prometheus)")
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        var config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n"
        for (job, addresses) in targets.sorted(by: { $0.key < $1.key }) {
            config += "  - job_name: \(job)\n    static_configs:\n      - targets: [\(addresses.map { "'\($0)'" }.joined(separator: ", "))]\n"
        }
        try config.write(to: self.directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        self.port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--config.file=\(self.directory.appendingPathComponent("prometheus.yml").path)",
            "--storage.tsdb.path=\(self.directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(self.port)",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = self.directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        self.process = process
    }

    /// The result of an instant query: each series' labels and value.
    func query(_ promql: String) async throws -> [(labels: [String: String], value: Double)] {
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        // HTTP/1.0: Prometheus then sends the body unchunked and closes, whatever its size.
        let connection = try await RawHTTPConnection.connect(port: self.port)
        let response = try await connection.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET /api/v1/query?query=\(encoded) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"))
            var received = ByteBuffer()
            for try await var chunk in inbound { received.writeBuffer(&chunk) }
            return String(buffer: received)
        }
        let status = response.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? response
        let data = Data(body.utf8)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any], json["status"] as? String == "success",
            let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]]
        else { throw FleetProcessError(message: "prometheus answered \(status): \(body)") }
        return result.compactMap { series in
            guard let labels = series["metric"] as? [String: String], let value = series["value"] as? [Any], let text = value.last as? String,
                let number = Double(text)
            else { return nil }
            return (labels, number)
        }
    }

    /// Polls `promql` until `condition` holds for its result or `seconds` pass; returns the last result.
    func waitFor(
        _ promql: String, seconds: Double = 30, until condition: ([(labels: [String: String], value: Double)]) -> Bool
    ) async throws -> [(labels: [String: String], value: Double)] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var last: [(labels: [String: String], value: Double)] = []
        while ContinuousClock.now < deadline {
            // Prometheus answers once its web server is up; before that the connection is refused.
            if let result = try? await self.query(promql) {
                last = result
                if condition(result) { return result }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    deinit {
        if self.process.isRunning {
            self.process.terminate()
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }
}

/// Binds a TCP socket to 127.0.0.1:`port` (0: any free one), then closes it; the port it got, or nil.
func bindLoopback(port: Int) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}

/// A port free on 127.0.0.1 now.
func freeLoopbackPort() throws -> Int {
    guard let port = bindLoopback(port: 0) else { throw FleetProcessError(message: "no free loopback port") }
    return port
}

/// The first of `count` consecutive ports free on 127.0.0.1 now.
func freeLoopbackPorts(consecutive count: Int) throws -> Int {
    for _ in 0..<50 {
        let first = try freeLoopbackPort()
        if first + count - 1 <= 65535, (1..<count).allSatisfy({ bindLoopback(port: first + $0) != nil }) { return first }
    }
    throw FleetProcessError(message: "no \(count) consecutive free loopback ports")
}
