#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Tells systemd how the fleet is doing (`sd_notify`), for a unit of
/// `Type=notify`: `READY=1` once every worker is online, so `systemctl start`
/// returns when the fleet serves, not when the supervisor forks.
public struct SystemdNotifier: Sendable {
    /// The datagram socket systemd listens on; `@` starts an abstract name.
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The notifier systemd asked for through `NOTIFY_SOCKET`, if any.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SystemdNotifier? {
        environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : SystemdNotifier(socketPath: $0) }
    }

    /// Waits until every supervisor's workers are online, then sends `READY=1`.
    public func notifyWhenOnline(_ supervisors: [Supervisor]) async {
        while !Task.isCancelled {
            var online = true
            for supervisor in supervisors where !(await supervisor.workersOnline) { online = false }
            if online { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard !Task.isCancelled else { return }
        var workers = 0
        for supervisor in supervisors { workers += await supervisor.workerCount }
        self.send("READY=1\nSTATUS=\(workers) workers online\nMAINPID=\(getpid())")
    }

    /// Sends one notification, newline-separated `KEY=value` pairs; a lost datagram is not an error.
    public func send(_ state: String) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(self.socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        var message = state
        _ = message.withUTF8 { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
    }
}
