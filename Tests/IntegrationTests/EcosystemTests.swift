#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// fleet.yaml, --daemon, sd_notify, save, resurrect, delete and startup, as a user runs them.
@Suite(.serialized) struct EcosystemTests {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-eco-\(UUID().uuidString)").path

    func fleet(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let command = try FleetProcess(arguments, environment: environment)
        let status = try await command.exitStatus(timeout: .seconds(120))
        return (status, command.lines.joined(separator: "\n"))
    }

    func get(_ path: String, port: Int) async throws -> String {
        let response = try await RawHTTPConnection.connect(port: port).exchange(sending: "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(response.status == 200)
        return response.body
    }

    /// The `port N, supervisor pid P` of a `--daemon` start's answer.
    func daemonAnswer(_ output: String) throws -> (port: Int, pid: pid_t) {
        let line = try #require(output.split(separator: "\n").first { $0.contains("workers online on port") }, "\(output)")
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return (numbers[numbers.count - 2], pid_t(numbers[numbers.count - 1]))
    }

    func waitForExit(_ pid: pid_t) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(kill(pid, 0) != 0, "supervisor \(pid) exited")
    }

    @Test func anEcosystemFileRunsDetachedAndSurvivesSaveAndResurrect() async throws {
        try FileManager.default.createDirectory(atPath: self.state, withIntermediateDirectories: true)
        let config = "\(self.state)/fleet.yaml"
        try """
            apps:
              - name: yapi
                script: \(FleetProcess.testWorker)
                instances: 2
                port: 0
                max_memory: 1G
                env:
                  GREETING: everywhere
                env_production:
                  GREETING: production
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let notifications = try NotifySocket(path: "\(self.state)/notify")

        let (started, startOutput) = try await self.fleet(
            ["start", "--config", config, "--env", "production", "--state-dir", self.state, "--daemon"],
            environment: ["NOTIFY_SOCKET": notifications.path]
        )
        #expect(started == 0, "\(startOutput)")
        let (port, supervisor) = try self.daemonAnswer(startOutput)
        #expect(try await self.get("/env/GREETING", port: port) == "production", "env_production overrides env")
        #expect(try await self.get("/env/FLEET_DAEMONIZED", port: port) == "", "the daemon's marker stays out of the workers")
        let ready = try #require(try notifications.receive(timeout: .seconds(10)), "sd_notify READY arrives")
        #expect(ready.contains("READY=1") && ready.contains("STATUS=2 workers online"), "\(ready)")

        let (saved, saveOutput) = try await self.fleet(["save", "--state-dir", self.state])
        #expect(saved == 0, "\(saveOutput)")
        let savedPath = "\(self.state)/saved.yaml"
        let permissions = try FileManager.default.attributesOfItem(atPath: savedPath)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "the saved environment is readable by its owner only")
        let (stopped, _) = try await self.fleet(["stop", "--name", "yapi", "--state-dir", self.state])
        #expect(stopped == 0)
        try await self.waitForExit(supervisor)

        let (resurrected, resurrectOutput) = try await self.fleet(["resurrect", "--state-dir", self.state, "--daemon"])
        #expect(resurrected == 0, "\(resurrectOutput)")
        let (again, secondSupervisor) = try self.daemonAnswer(resurrectOutput)
        #expect(again == port, "the saved app comes back on its port")
        #expect(try await self.get("/env/GREETING", port: again) == "production")

        let (deleted, deleteOutput) = try await self.fleet(["delete", "--name", "yapi", "--state-dir", self.state])
        #expect(deleted == 0, "\(deleteOutput)")
        try await self.waitForExit(secondSupervisor)
        #expect(try !String(contentsOfFile: savedPath, encoding: .utf8).contains("yapi"), "delete forgets the app")
    }

    @Test func mistakesInTheFileAreNamed() async throws {
        try FileManager.default.createDirectory(atPath: self.state, withIntermediateDirectories: true)
        let config = "\(self.state)/fleet.yaml"
        try "apps:\n  - name: api\n    script: /bin/true\n    instanses: 2\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (status, output) = try await self.fleet(["start", "--config", config, "--state-dir", self.state])
        #expect(status != 0)
        #expect(output.contains("app api: unknown key `instanses`"), "\(output)")
        try "apps:\n  - name: api\n    script: /bin/true\n    max_memory: lots\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (_, sizeOutput) = try await self.fleet(["start", "--config", config, "--state-dir", self.state])
        #expect(sizeOutput.contains("app api: `max_memory` must be a size such as 512M or 1G, not lots"), "\(sizeOutput)")
    }

    @Test func startupPrintsANotifyUnit() async throws {
        let (status, unit) = try await self.fleet(["startup", "systemd", "--config", "/srv/api/fleet.yaml", "--env", "production"])
        #expect(status == 0)
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains(" start --config /srv/api/fleet.yaml --state-dir /var/lib/fleet --env production"), "\(unit)")
        #expect(unit.contains("KillMode=mixed"))
        let (bad, badOutput) = try await self.fleet(["startup", "upstart"])
        #expect(bad != 0)
        #expect(badOutput.contains("startup prints systemd or systemd-socket, not upstart"), "\(badOutput)")
        let (_, socket) = try await self.fleet(["startup", "systemd-socket", "--listen", "0.0.0.0:80"])
        #expect(socket.contains("ListenStream=0.0.0.0:80") && socket.contains("ReusePort=yes"), "\(socket)")
    }
}

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET`.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        self.descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw FleetProcessError(message: "cannot bind \(path)") }
        _ = fcntl(self.descriptor, F_SETFL, O_NONBLOCK)
    }

    /// The next notification, or nil after `timeout`.
    func receive(timeout: Duration) throws -> String? {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = recv(self.descriptor, &buffer, buffer.count, 0)
            if count > 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
            usleep(20_000)
        }
        return nil
    }

    deinit {
        close(self.descriptor)
        unlink(self.path)
    }
}

/// `fleet start` under socket activation: a parent (python standing in for
/// systemd) binds the port and execs the supervisor with it as fd 3.
@Suite(.serialized) struct SocketActivationTests {
    /// Runs `fleet arguments` with a socket bound to a free loopback port at fd 3, `LISTEN_FDS=1` and `LISTEN_PID` set.
    func activated(_ arguments: [String], reusePort: Bool) throws -> (process: FleetProcess, port: Int) {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-sa-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let portFile = "\(state)/port"
        let script = """
            import os, socket, sys
            s = socket.socket()
            if \(reusePort ? "True" : "False"): s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind(("127.0.0.1", 0)); s.listen(128)
            open("\(portFile)", "w").write(str(s.getsockname()[1]))
            os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let process = try FleetProcess(
            arguments + ["--state-dir", state],
            environment: [:],
            launcher: ["/usr/bin/python3", "-c", script, FleetProcess.binary]
        )
        var port: Int?
        for _ in 0..<100 where port == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            usleep(20_000)
        }
        return (process, try #require(port))
    }

    @Test func theSupervisorServesTheSocketItWasGiven() async throws {
        let (supervisor, port) = try self.activated(["start", "--name", "sa", "-i", "2", "--port", "1", FleetProcess.testWorker], reusePort: true)
        #expect(try await supervisor.listeningPort() == port, "the inherited socket's port, not --port")
        var instances = Set<String>()
        for _ in 0..<200 where instances.count < 2 {
            let response = try await RawHTTPConnection.connect(port: port).exchange(sending: "GET /received HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.status == 200)
            instances.insert(String(response.body.split(separator: "\n").first ?? ""))
        }
        #expect(instances == ["0", "1"], "both workers serve the one port")
        supervisor.signal(SIGTERM)
        #expect(try await supervisor.exitStatus() == 0)
    }

    @Test func aSocketWithoutReusePortServesOneWorkerOnly() async throws {
        let (supervisor, _) = try self.activated(["start", "--name", "sa1", "-i", "2", FleetProcess.testWorker], reusePort: false)
        let status = try await supervisor.exitStatus()
        #expect(status != 0)
        #expect(supervisor.lines.joined().contains("set ReusePort=yes in the socket unit"), "\(supervisor.lines)")
    }
}
