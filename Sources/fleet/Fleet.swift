import ArgumentParser

@main
struct Fleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run Swift HTTP services at scale.",
        subcommands: [Serve.self]
    )
}
