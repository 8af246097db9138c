import FleetLoad
import Foundation
import Testing

/// `fleet ws-load`'s engine against a real `fleet serve`: the demo's chat rooms,
/// real sockets; and the chat routes' HTTP side as the load test meets it.
@Suite(.serialized) struct WebSocketLoadProcessTests {
    static func serve(_ environment: [String: String] = [:]) async throws -> (process: FleetProcess, port: Int) {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-wsload-\(UUID().uuidString)").path
        var env = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "CHAT_RATE_LIMIT": "off"]
        env.merge(environment) { $1 }
        let process = try FleetProcess(["serve"], environment: env)
        return (process, try await process.listeningPort())
    }

    /// 20 sockets in 2 rooms, 2 senders per room at 20/s for 1 s: every message reaches its room's 10 members.
    @Test func deliveriesAreCountedAndTimedOnEveryReceiver() async throws {
        let server = try await Self.serve()
        let pid = server.process.process.processIdentifier
        var configuration = WebSocketLoadConfiguration(
            target: try Target(webSocketURL: "ws://127.0.0.1:\(server.port)/chat/{room}"),
            connections: 20, rooms: 2, sendersPerRoom: 2, rate: 20, duration: .seconds(1),
            connectTimeout: .seconds(20), settle: .milliseconds(300), drainTimeout: .seconds(5), threads: 2
        )
        configuration.watchedProcesses = [pid]
        let report = try await WebSocketLoadTest(configuration: configuration).run()

        #expect(report.connectionsOpened == 20, "\(report.connectErrors)")
        #expect(report.connectErrors.isEmpty && report.closedDuringRun.isEmpty)
        // 4 senders, 20 sends each in 1 s.
        #expect(report.sent == 80)
        #expect(report.expected == report.sent * 10)
        #expect(report.delivered == report.expected && report.lost == 0, "\(report.summary)")
        #expect(report.latency.count == report.delivered)
        #expect(report.latency.p99 > 0 && report.latency.p99 >= report.latency.p50 && report.latency.max < 5_000)
        // One welcome per socket.
        #expect(report.otherFrames == 20)
        #expect(report.passed)
        let connected = try #require(report.processes.connected.first)
        #expect(connected.pid == pid && connected.rssKiB > 0 && connected.descriptors >= 20)
        #expect(report.processes.sent.first.map { $0.cpuSeconds >= connected.cpuSeconds } == true)
        server.process.signal(SIGTERM)
        #expect(try await server.process.exitStatus() == 0)
    }

    /// A path that does not upgrade is a connect error by status, and no socket means no run.
    @Test func aPathThatDoesNotUpgradeFailsTheRun() async throws {
        let server = try await Self.serve()
        let configuration = WebSocketLoadConfiguration(
            target: try Target(webSocketURL: "ws://127.0.0.1:\(server.port)/nowhere/{room}"),
            connections: 3, rooms: 3, duration: .milliseconds(200), connectTimeout: .seconds(10), threads: 1
        )
        let error = await #expect(throws: LoadError.self) { try await WebSocketLoadTest(configuration: configuration).run() }
        #expect(error?.code == .connectFailed)
        // The upgrade router answers a path it does not know 400.
        #expect(error?.message.contains("/nowhere/{room} (3 status 400)") == true, "\(String(describing: error))")
        server.process.signal(SIGTERM)
        #expect(try await server.process.exitStatus() == 0)
    }

    /// Presence answers under the API's rate limit, as every other API route.
    @Test func presenceIsRateLimited() async throws {
        let server = try await Self.serve(["RATE_LIMIT": "3/60s"])
        var statuses: [Int] = []
        for _ in 0..<4 {
            let response = try await RawHTTPConnection.connect(port: server.port).exchange(
                sending: "GET /chat/lobby/presence HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            statuses.append(response.status)
        }
        #expect(statuses == [200, 200, 200, 429])
        server.process.signal(SIGTERM)
        #expect(try await server.process.exitStatus() == 0)
    }

    @Test func serveHelpListsTheWebSocketVariables() async throws {
        let help = try FleetProcess(["serve", "--help"], environment: [:])
        #expect(try await help.exitStatus() == 0)
        let text = help.lines.joined(separator: " ")
        for variable in ["BROADCAST", "BROADCAST_CHANNEL", "WS_SEND_QUEUE", "WS_HEARTBEAT", "CHAT_RATE_LIMIT"] {
            #expect(text.contains(variable), "fleet serve --help names \(variable)")
        }
    }

    /// A bad flag is refused with exit 64 and a message naming it.
    @Test(arguments: [
        (["--connections", "0"], "--connections"), (["--rooms", "3"], "--rooms"), (["--senders", "200"], "--senders"),
        (["--rate", "0"], "--rate"), (["--duration", "soon"], "--duration"),
    ])
    func badFlagsAreNamed(_ flags: [String], _ named: String) async throws {
        let command = try FleetProcess(["ws-load", "ws://127.0.0.1:9/chat/lobby"] + flags, environment: [:])
        #expect(try await command.exitStatus() == 64)
        #expect(command.lines.joined(separator: "\n").contains(named), "\(command.lines)")
    }
}
