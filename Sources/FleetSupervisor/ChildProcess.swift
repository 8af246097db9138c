#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// A worker process started with `posix_spawn`: its listening socket (if any) at fd 3,
/// its supervisor link at fd 4, and stdout and stderr on one pipe.
struct ChildProcess: Sendable {
    let pid: pid_t
    /// The read end of the child's stdout and stderr.
    let output: Int32
    /// The supervisor's end of the link socket pair.
    let link: Int32

    /// The descriptor the link occupies in the child (`FLEET_IPC_FD`).
    static let linkDescriptor: Int32 = 4

    /// Held from creating a child's descriptors to marking them close-on-exec and spawning it.
    static let spawning = NIOLock()

    /// Starts `executable` with `arguments` and `environment`.
    ///
    /// `LISTEN_PID` must name the worker itself, which is unknown before the
    /// spawn: a `/bin/sh` trampoline sets it to `$$` and execs the worker, so
    /// the pid stays the same.
    static func spawn(executable: String, arguments: [String], environment: [String: String], listeningSocket: Int32?) throws(SupervisorError) -> ChildProcess {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw SupervisorError(.spawn, "socketpair(): \(errnoText())")
        }
        var pipeEnds: [Int32] = [0, 0]
        // Until close-on-exec is set, a spawn by another supervisor of this process would leak the
        // write end into its worker, and this pipe would never reach EOF: spawns take turns.
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        guard pipe(&pipeEnds) == 0 else {
            close(pair[0])
            close(pair[1])
            throw SupervisorError(.spawn, "pipe(): \(errnoText())")
        }
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        defer {
            close(pair[1])
            close(pipeEnds[1])
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDERR_FILENO)
        if let listeningSocket { posix_spawn_file_actions_adddup2(&actions, listeningSocket, 3) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], Self.linkDescriptor)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group: a Ctrl-C at the terminal reaches the supervisor,
        // which then drains the workers in order instead of all dying at once.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ["/bin/sh", "-c", #"LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@""#, executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                posix_spawn(&pid, "/bin/sh", &actions, &attributes, argvPointer, envPointer)
            }
        }
        guard status == 0 else {
            close(pair[0])
            close(pipeEnds[0])
            throw SupervisorError(.spawn, "cannot start \(executable): \(errnoText(status))")
        }
        return ChildProcess(pid: pid, output: pipeEnds[0], link: pair[0])
    }
}

/// Calls `body` with a NULL-terminated C array of `strings`.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
