import ArgumentParser

/// The `fleet` command; `main.swift` starts it.
struct Fleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run Swift HTTP services at scale.",
        subcommands: [Demo.self, Serve.self, Start.self, List.self, Reload.self, Scale.self, Stop.self, Load.self, Plan.self]
    )
}

extension Fleet {
    /// Parses the command line and runs the command's async `run()`.
    ///
    /// Top-level code resolves `main(_:)` to the synchronous overload, which
    /// cannot run async commands; inside an async function the async one wins.
    static func start() async {
        await Self.main(nil)
    }
}
