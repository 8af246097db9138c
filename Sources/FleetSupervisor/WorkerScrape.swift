import Foundation
import NIOCore
import NIOPosix

/// The supervisor's side of one scrape of every worker: each worker's
/// `/metrics` (on `METRICS_PORT` + its instance) fetched and relabelled with
/// `app` and `worker`, so one scrape of the supervisor covers the whole fleet.
enum WorkerScrape {
    /// The body of `GET /metrics` at `host:port`, or nil when the worker does not answer within `timeout`.
    static func fetch(host: String, port: Int, timeout: Duration = .seconds(2)) async -> String? {
        try? await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                return try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: "GET /metrics HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"))
                    var response = ByteBuffer()
                    for try await var chunk in inbound { response.writeBuffer(&chunk) }
                    let text = String(buffer: response)
                    guard text.hasPrefix("HTTP/1.1 200"), let split = text.range(of: "\r\n\r\n") else { return nil }
                    return String(text[split.upperBound...])
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// Metric families from several workers, each written once with all its samples
    /// together, as the text format asks: `# HELP`, `# TYPE`, then every worker's lines.
    struct Merged {
        var order: [String] = []
        var headers: [String: String] = [:]
        var samples: [String: String] = [:]

        /// Adds `text`, one worker's scrape, with `labels` put on every sample.
        mutating func add(_ text: String, labels: [(String, String)]) {
            let added = labels.map { "\($0.0)=\"\(PrometheusText.escaped($0.1))\"" }.joined(separator: ",")
            var family = ""
            for line in text.split(separator: "\n") {
                if line.hasPrefix("#") {
                    let words = line.split(separator: " ", maxSplits: 3)
                    guard words.count >= 3 else { continue }
                    family = String(words[2])
                    if self.headers[family] == nil { self.order.append(family) }
                    if !(self.headers[family]?.contains(line) ?? false) { self.headers[family, default: ""] += line + "\n" }
                    continue
                }
                if self.headers[family] == nil {
                    family = String(line.prefix { $0 != "{" && $0 != " " })
                    self.headers[family] = ""
                    self.order.append(family)
                }
                if let brace = line.firstIndex(of: "{") {
                    let rest = line[line.index(after: brace)...]
                    self.samples[family, default: ""] += line[..<brace] + "{" + added + (rest.hasPrefix("}") ? "" : ",") + rest + "\n"
                } else if let space = line.firstIndex(of: " ") {
                    self.samples[family, default: ""] += line[..<space] + "{" + added + "}" + line[space...] + "\n"
                }
            }
        }

        var text: String {
            self.order.map { (self.headers[$0] ?? "") + (self.samples[$0] ?? "") }.joined()
        }
    }
}

extension Supervisor {
    /// The supervisor's metrics followed by every live worker's, labelled by app
    /// and worker; workers serve theirs only when their environment sets `METRICS_PORT`.
    public func fleetMetricsText() async -> String {
        let text = self.metricsText()
        guard let base = self.environment["METRICS_PORT"].flatMap(Int.init) else { return text }
        let configured = self.environment["HOST"] ?? "127.0.0.1"
        let host = configured == "0.0.0.0" || configured.isEmpty ? "127.0.0.1" : configured
        let live = self.slots.indices.filter { self.slots[$0].worker != nil }
        var merged = WorkerScrape.Merged()
        for instance in live {
            guard let scraped = await WorkerScrape.fetch(host: host, port: base + instance) else { continue }
            merged.add(scraped, labels: [("app", self.configuration.name), ("worker", String(instance))])
        }
        return text + merged.text
    }
}
