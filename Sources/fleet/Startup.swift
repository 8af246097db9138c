import ArgumentParser
import Foundation

/// `fleet startup systemd`: prints a unit that runs the apps of an ecosystem
/// file at boot, as PM2's `startup` does, with readiness through sd_notify.
struct Startup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a boot unit that runs the apps of an ecosystem file.",
        discussion: "Install it with: fleet startup systemd > /etc/systemd/system/fleet.service && systemctl daemon-reload && systemctl enable --now fleet"
    )

    @Argument(help: "The init system: systemd.")
    var system: String

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
        guard self.system == "systemd" else { throw ValidationError("startup supports systemd, not \(self.system)") }
        _ = try Start.duration(self.stopTimeout, flag: "--stop-timeout")
    }

    func run() throws {
        print(self.unit(fleet: Self.executablePath(), workingDirectory: FileManager.default.currentDirectoryPath))
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
