#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import FleetSupervisor
import Foundation

/// `fleet start --daemon`: runs this same command again without `--daemon`
/// in a new session, its output in `<state>/logs/supervisor.log`, and returns
/// once every app's workers are online (or says why not).
enum Daemon {
    /// Set in the detached supervisor's environment; its workers never see it.
    static let marker = "FLEET_DAEMONIZED"

    static func detach(apps: [AppConfiguration]) async throws {
        let stateDirectory = apps[0].stateDirectory
        try FileManager.default.createDirectory(atPath: "\(stateDirectory)/logs", withIntermediateDirectories: true)
        let logPath = "\(stateDirectory)/logs/supervisor.log"
        let pid = try self.spawn(
            arguments: CommandLine.arguments.dropFirst().filter { $0 != "--daemon" },
            logPath: logPath
        )
        let deadline = ContinuousClock.now + apps.map(\.readyTimeout).max()! + .seconds(5)
        for app in apps {
            let client = ControlClient(name: app.name, stateDirectory: stateDirectory)
            while true {
                if let status = try? await client.send(ControlRequest(command: "list")).status,
                    status.workers.allSatisfy({ $0.status == "online" })
                {
                    print("\(app.name): \(status.workers.count) workers online \(status.port.map { "on port \($0)" } ?? "(no port)"), supervisor pid \(pid)")
                    break
                }
                if kill(pid, 0) != 0 || ContinuousClock.now > deadline {
                    throw ValidationError("the detached supervisor (pid \(pid)) did not bring \(app.name) online; see \(logPath)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Starts this executable with `arguments` in its own session, stdin from /dev/null, output to `logPath`.
    private static func spawn(arguments: [String], logPath: String) throws -> pid_t {
        // The daemon must hold nothing of ours past stdio: a caller watching
        // an inherited descriptor for our exit (as Foundation's Process does) would wait forever.
        self.closeOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // glibc's POSIX_SPAWN_SETSID (0x80), hidden from Swift behind _GNU_SOURCE: a new session, no controlling terminal.
        posix_spawnattr_setflags(&attributes, 0x80)

        let executable = "/proc/self/exe"
        var environment = ProcessInfo.processInfo.environment
        environment[Self.marker] = "1"
        let argv = ([CommandLine.arguments[0]] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw ValidationError("--daemon: cannot start the supervisor: \(String(cString: strerror(result)))") }
        return pid
    }

    /// Marks every descriptor above stderr close-on-exec.
    private static func closeOnExec() {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
