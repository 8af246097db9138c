import ArgumentParser
import Foundation

/// `fleet startup systemd`: prints a unit that runs the apps of an ecosystem
/// file at boot, as PM2's `startup` does, with readiness through sd_notify.
struct Startup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a boot unit that runs the apps of an ecosystem file.",
        discussion: "Install it with: fleet startup systemd > /etc/systemd/system/fleet.service && systemctl daemon-reload && systemctl enable --now fleet"
    )

    @Argument(help: "What to print: systemd (the service unit) or systemd-socket (a socket unit for socket activation).")
    var system: String

    @Option(help: "For systemd-socket: the address systemd listens on, e.g. 0.0.0.0:8080.")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "The ecosystem file the unit starts.")
    var config: String = "fleet.yaml"

    @Option(help: "Also apply each app's env_<name> block, e.g. production.")
    var env: String?

    @Option(name: .customLong("state-dir"), help: "The state directory the unit's supervisor uses.")
    var stateDirectory: String = "/var/lib/fleet"

    @Option(help: "The user the fleet runs as.")
    var user: String = ProcessInfo.processInfo.environment["USER"] ?? "root"

    @Option(help: "How long systemd waits for the drain on stop, e.g. 40s; above every app's stop timeout.")
    var stopTimeout: String = "40s"

    func validate() throws {
        guard ["systemd", "systemd-socket"].contains(self.system) else {
            throw ValidationError("startup prints systemd or systemd-socket, not \(self.system)")
        }
        _ = try Start.duration(self.stopTimeout, flag: "--stop-timeout")
    }

    func run() throws {
        if self.system == "systemd-socket" {
            print(self.socketUnit())
        } else {
            print(self.unit(fleet: Self.executablePath(), workingDirectory: FileManager.default.currentDirectoryPath))
        }
    }

    /// `fleet.socket`: systemd holds the port, even across restarts of the
    /// supervisor, and hands it over as fd 3. `ReusePort` lets each worker
    /// slot's socket join the port.
    func socketUnit() -> String {
        """
        [Unit]
        Description=Fleet's listening socket

        [Socket]
        ListenStream=\(self.listen)
        ReusePort=yes
        Backlog=4096

        [Install]
        WantedBy=sockets.target
        """
    }

    func unit(fleet: String, workingDirectory: String) -> String {
        let config = self.config.hasPrefix("/") ? self.config : "\(workingDirectory)/\(self.config)"
        let environment = self.env.map { " --env \($0)" } ?? ""
        let seconds = Int((try? Start.duration(self.stopTimeout, flag: "--stop-timeout"))?.components.seconds ?? 40)
        return """
            [Unit]
            Description=Fleet: the apps of \(config)
            After=network-online.target
            Wants=network-online.target

            [Service]
            # The supervisor says READY=1 once every worker is online.
            Type=notify
            NotifyAccess=main
            User=\(self.user)
            WorkingDirectory=\(workingDirectory)
            ExecStart=\(fleet) start --config \(config) --state-dir \(self.stateDirectory)\(environment)
            # SIGTERM goes to the supervisor only; it drains the workers, then systemd kills what is left.
            KillMode=mixed
            TimeoutStopSec=\(seconds)
            Restart=on-failure
            RestartSec=1
            LimitNOFILE=65536\(self.stateDirectory.hasPrefix("/var/lib/") ? "\nStateDirectory=\(self.stateDirectory.dropFirst(9))" : "")

            [Install]
            WantedBy=multi-user.target
            """
    }

    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
