import Foundation
import NIOConcurrencyHelpers
import Testing

/// A `fleet` command run as a child process, its standard output captured by line.
final class FleetProcess: Sendable {
    let process: Process
    private let output = NIOLockedValueBox<[String]>([])
    /// Set once the output pipe reached end of file: every line is in.
    private let outputEnded = NIOLockedValueBox(false)

    /// The `fleet` binary `swift build` made: `FLEET_BINARY`, or `.build/debug/fleet` beside the sources.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["FLEET_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/fleet").path
    }

    /// The fault-injecting worker of Tests/FleetTestWorker, built beside `fleet`.
    static var testWorker: String {
        URL(fileURLWithPath: Self.binary).deletingLastPathComponent().appendingPathComponent("FleetTestWorker").path
    }

    /// The session secret children get when they use Redis and the test sets none.
    static let testSessionSecret = "fleet-integration-tests-session-secret-0123456789"

    /// Starts `fleet arguments...` with `environment` added to this process's own.
    /// - Parameter launcher: a command that execs `fleet` itself, given the binary and `arguments` after its own.
    init(_ arguments: [String], environment: [String: String], launcher: [String] = []) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the CLI first (swift build): \(Self.binary)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.binary)
        process.arguments = Array(launcher.dropFirst()) + arguments
        var env = ProcessInfo.processInfo.environment
        env["LOG_FORMAT"] = "json"
        // Tests that are not about rate limiting send more than 100 requests from one address.
        env["RATE_LIMIT"] = "off"
        env.merge(environment) { _, new in new }
        if env["REDIS_URL"]?.isEmpty == false, env["SESSION_SECRETS"]?.isEmpty != false {
            // With Redis, fleet serve refuses to start without session secrets, as in production.
            env["SESSION_SECRETS"] = Self.testSessionSecret
        }
        process.environment = env
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stdout
        self.process = process
        let output = self.output
        let outputEnded = self.outputEnded
        let partial = NIOLockedValueBox<String>("")
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                outputEnded.withLockedValue { $0 = true }
                return
            }
            let lines: [String] = partial.withLockedValue { partial in
                partial += String(decoding: data, as: UTF8.self)
                var parts = partial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                partial = parts.removeLast()
                return parts
            }
            output.withLockedValue { $0 += lines }
        }
        try process.run()
    }

    var lines: [String] { self.output.withLockedValue { $0 } }

    /// The JSON log lines so far, parsed.
    var jsonLines: [[String: Any]] {
        self.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Waits for the service's `listening` line and returns its port.
    func listeningPort(timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = self.jsonLines.first(where: { $0["message"] as? String == "listening" }),
                let port = (line["server.port"] as? String).flatMap(Int.init)
            {
                return port
            }
            if !self.process.isRunning {
                throw FleetProcessError(message: "fleet exited with \(self.process.terminationStatus) before listening:\n\(self.lines.joined(separator: "\n"))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FleetProcessError(message: "fleet did not listen within \(timeout):\n\(self.lines.joined(separator: "\n"))")
    }

    func signal(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status; kills it after `timeout`.
    /// The output read so far is then complete (a child that kept the pipe open may hold back a second).
    func exitStatus(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning {
            if ContinuousClock.now > deadline {
                self.signal(SIGKILL)
                throw FleetProcessError(message: "fleet did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let drained = ContinuousClock.now + .seconds(1)
        while !self.outputEnded.withLockedValue({ $0 }), ContinuousClock.now < drained {
            try await Task.sleep(for: .milliseconds(5))
        }
        return self.process.terminationStatus
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }
}

struct FleetProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}
