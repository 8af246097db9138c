import Foundation
import Testing

@testable import FleetLoad


extension LiveTests {
    /// Renders the HTML report in headless Chromium. CI must install Debian's `chromium`;
    /// elsewhere the test skips when it is absent.
    @Suite("HTML report")
    struct HTMLReportTests {
        static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        static let required = ProcessInfo.processInfo.environment["CI"] == "true"

        @Test("the report is self-contained: no external URL, charts inline, JSON embedded; the JSON schema is stable")
        func selfContained() async throws {
            let report = try await Self.sampleReport()
            let json = try JSONSerialization.jsonObject(with: Data(try report.jsonString().utf8)) as? [String: Any]
            #expect(json?["schema"] as? String == "fleet.load/v1")
            #expect(Set(json?.keys.map { $0 } ?? []) == [
                "schema", "target", "model", "plannedDuration", "elapsed", "aborted", "requests", "errors", "errorRate",
                "checkFailures", "dropped", "targetRate", "achievedRate", "latency", "uncorrectedLatency", "statuses",
                "errorKinds", "requestsByName", "stages", "spectrum", "series", "thresholds", "warnings",
            ])
            #expect(report.series.count >= 7)
            let html = try report.html()
            #expect(html.contains("<svg"))
            #expect(html.components(separatedBy: "<svg").count - 1 == 3)
            #expect(!html.contains("src=\"http"))
            #expect(!html.contains("href=\"http"))
            #expect(html.contains("fleet.load/v1"))
        }

        @Test("headless Chromium renders a non-blank page", .enabled(if: chromium != nil || required, "chromium is not installed"))
        func rendersInChromium() async throws {
            let browser = try #require(Self.chromium, "CI=true but chromium is missing: .ci/run must apt-get install chromium")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-html-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let page = directory.appendingPathComponent("report.html")
            let blank = directory.appendingPathComponent("blank.html")
            try await Self.sampleReport().html().write(to: page, atomically: true, encoding: .utf8)
            try "<!doctype html><html><body style=\"background:#f8f9fa\"></body></html>".write(to: blank, atomically: true, encoding: .utf8)
            let pageShot = try Self.screenshot(browser, page, directory.appendingPathComponent("page.png"))
            let blankShot = try Self.screenshot(browser, blank, directory.appendingPathComponent("blank.png"))
            // A blank PNG compresses to almost nothing; charts and text do not.
            #expect(pageShot.count > 5 * blankShot.count, "page \(pageShot.count) bytes, blank \(blankShot.count) bytes")
            #expect(pageShot.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }

        private static func screenshot(_ browser: String, _ page: URL, _ output: URL) throws -> Data {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: browser)
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1400",
                "--user-data-dir=\(output.deletingLastPathComponent().path)/profile", "--screenshot=\(output.path)", page.absoluteString,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning { process.terminate() }
            return try Data(contentsOf: output)
        }

        /// A short real run against the test server, so the charts have data.
        static func sampleReport() async throws -> LoadReport {
            let server = try await TestHTTPServer(delay: .milliseconds(5))
            let configuration = LoadConfiguration(
                target: try Target(url: server.url),
                model: .arrivalRate(startRate: 50, stages: [Stage(duration: .seconds(2), target: 300)]),
                connections: 20,
                thresholds: [try Threshold(parsing: "p95<200ms")],
                threads: 1,
                sampleInterval: .milliseconds(250)
            )
            let report = try await LoadTest(configuration: configuration).run()
            try await server.shutdown()
            return report
        }
    }
}
