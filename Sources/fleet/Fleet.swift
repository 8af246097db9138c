import ArgumentParser

/// The `fleet` command.
@main
struct Fleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run Swift HTTP services at scale.",
        subcommands: [
            Demo.self, Serve.self, Work.self, Start.self, List.self, Reload.self, Scale.self, Stop.self, Delete.self, Logs.self, Deploy.self,
            Save.self, Resurrect.self, Startup.self, Load.self, WebSocketLoad.self, Plan.self, Metrics.self, Assets.self,
        ]
    )
}
