import ArgumentParser
import FleetLoad
import Foundation

/// `fleet ws-load`: WebSocket fan-out: many sockets in rooms, a few senders, delivery latency on every receiver.
struct WebSocketLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws-load",
        abstract: "Load-test WebSocket rooms: fan-out deliveries/s, delivery latency, losses.",
        discussion: """
            Opens --connections sockets spread round robin over --rooms ({room} in the URL becomes room-0, room-1, ...),
            waits --settle, then the first --senders sockets of each room send {"text":"wsl-<ns>"} at --rate for --duration.
            Every text frame back that carries wsl-<ns> is a delivery, timed from the send's intended time (same machine clock).
            Lost: what the sockets still open should have received but had not --drain after the last send.
            Exit status: 0 when every socket opened, none was closed by the server and nothing was lost; 99 otherwise; 64 for bad flags.
            Examples:
              fleet ws-load 'ws://127.0.0.1:8080/chat/{room}' --connections 1000 --rooms 10 --rate 10 --duration 10s
              fleet ws-load ws://127.0.0.1:8080/chat/lobby --connections 200 --senders 4 --json - --watch-pid 4242
            """
    )

    @Argument(help: "ws://HOST[:PORT]/PATH; {room} in the path names each socket's room.")
    var url: String

    @Option(help: "Sockets to open.")
    var connections: Int = 100

    @Option(help: "Rooms the sockets are spread over (needs {room} in the URL when above 1).")
    var rooms: Int = 1

    @Option(help: "Senders per room (they receive too).")
    var senders: Int = 1

    @Option(help: "Messages per second from each sender.")
    var rate: Double = 1

    @Option(help: "How long the senders send, such as 10s or 1m.")
    var duration: String = "10s"

    @Option(help: "The longest the connect phase may take.")
    var connectTimeout: String = "60s"

    @Option(help: "Handshakes in flight at once.")
    var connectConcurrency: Int = 256

    @Option(help: "Pause between the last socket opening and the first send, for joins to reach every instance.")
    var settle: String = "1s"

    @Option(help: "The longest wait for deliveries after the last send.")
    var drain: String = "5s"

    @Option(help: "Event-loop threads running the sockets (default: one per core).")
    var threads: Int?

    @Option(name: .customLong("watch-pid"), help: "A server process whose RSS, descriptors and CPU to read from /proc, repeatable.")
    var watchPids: [Int32] = []

    @Option(help: "Write the JSON report to this file, or - for standard output.")
    var json: String?

    func run() async throws {
        let configuration = try makeConfiguration()
        let report: WebSocketLoadReport
        do {
            report = try await WebSocketLoadTest(configuration: configuration).run { line in
                FileHandle.standardError.write(Data("fleet ws-load: \(line)\n".utf8))
            }
        } catch let error as LoadError {
            FileHandle.standardError.write(Data("fleet ws-load: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let summary = Data((report.summary + "\n").utf8)
        if json == "-" { FileHandle.standardError.write(summary) } else { FileHandle.standardOutput.write(summary) }
        if let json {
            let text = try report.jsonString() + "\n"
            if json == "-" { FileHandle.standardOutput.write(Data(text.utf8)) } else { try text.write(toFile: json, atomically: true, encoding: .utf8) }
        }
        if !report.passed { throw ExitCode(99) }
    }

    private func makeConfiguration() throws -> WebSocketLoadConfiguration {
        func parsed(_ flag: String, _ text: String, allowZero: Bool = false) throws -> Duration {
            guard let parsed = Duration.parse(text), parsed > .zero || (allowZero && parsed == .zero) else {
                throw ValidationError("--\(flag) '\(text)': expected a \(allowZero ? "non-negative" : "positive") duration such as 10s or 500ms")
            }
            return parsed
        }
        do {
            var configuration = WebSocketLoadConfiguration(
                target: try Target(webSocketURL: url),
                connections: connections,
                rooms: rooms,
                sendersPerRoom: senders,
                rate: rate,
                duration: try parsed("duration", duration),
                connectTimeout: try parsed("connect-timeout", connectTimeout),
                connectConcurrency: connectConcurrency,
                settle: try parsed("settle", settle, allowZero: true),
                drainTimeout: try parsed("drain", drain, allowZero: true),
                watchedProcesses: watchPids
            )
            if let threads { configuration.threads = threads }
            try configuration.validate()
            return configuration
        } catch let error as LoadError {
            // The configuration names the field as the flag, without its dashes; the URL's messages start with "URL".
            throw ValidationError(error.message.hasPrefix("URL") ? error.message : "--" + error.message)
        }
    }
}
