import ArgumentParser
import Foundation

/// `fleet deploy`: writes the files for running a fleet past one machine.
struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate deployment files: an nginx load balancer or Kubernetes manifests.",
        discussion: "The examples in deploy/ are this command's output: fleet deploy nginx --upstream 10.0.0.11:8080 --upstream 10.0.0.12:8080, fleet deploy k8s --output deploy/k8s.",
        subcommands: [DeployNginx.self, DeployKubernetes.self]
    )

    /// Prints `files` (name, text) one after another, or writes each into `directory`.
    static func emit(_ files: [(name: String, text: String)], to directory: String?) throws {
        guard let directory else {
            print(files.map(\.text).joined(separator: "\n"), terminator: "")
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in files {
                try file.text.write(toFile: "\(directory)/\(file.name)", atomically: true, encoding: .utf8)
            }
        } catch {
            throw ValidationError("--output \(directory): cannot write there (\(error.localizedDescription))")
        }
    }

    /// Seconds in a duration flag such as `30s` or `2m`, named in the error.
    static func seconds(_ text: String, flag: String) throws -> Int {
        let duration = try Start.duration(text, flag: flag)
        guard duration >= .seconds(1) else { throw ValidationError("\(flag) must be at least 1s, not \(text)") }
        return Int(duration.components.seconds)
    }
}
