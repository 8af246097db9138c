import ArgumentParser
import Foundation

/// `fleet logs`: the fleet's merged log, from the file the supervisor writes and rotates.
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a fleet's merged worker logs, optionally following them.")

    @OptionGroup var app: AppOptions
    @Option(help: "How many of the last lines to print first.") var lines: Int = 50
    @Flag(help: "Keep printing lines as they are written (follows rotation).") var follow = false
    @Flag(help: "Print only the JSON lines, unchanged, for other tools.") var json = false

    func validate() throws {
        guard self.lines >= 0 else { throw ValidationError("--lines must be 0 or more, not \(self.lines)") }
    }

    var path: String { "\(self.app.stateDirectory)/logs/\(self.app.name).log" }

    func run() async throws {
        guard let handle = FileHandle(forReadingAtPath: self.path) else {
            throw ValidationError("no log at \(self.path): is there a fleet named \(self.app.name) in --state-dir \(self.app.stateDirectory)?")
        }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).suffix(self.lines) {
            self.emit(line)
        }
        guard self.follow else { return }
        var reader = handle
        var offset = reader.offsetInFile
        var partial = ""
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(200))
            // Rotation renames the file: reopen when the path's file is shorter than what we read.
            if let size = (try? FileManager.default.attributesOfItem(atPath: self.path)[.size] as? UInt64) ?? nil, size < offset,
                let fresh = FileHandle(forReadingAtPath: self.path)
            {
                reader = fresh
                offset = 0
            }
            let data = reader.readDataToEndOfFile()
            offset = reader.offsetInFile
            guard !data.isEmpty else { continue }
            partial += String(decoding: data, as: UTF8.self)
            var parts = partial.split(separator: "\n", omittingEmptySubsequences: false)
            partial = String(parts.removeLast())
            parts.filter { !$0.isEmpty }.forEach(self.emit)
        }
    }

    func emit(_ line: Substring) {
        if self.json && !line.hasPrefix("{") { return }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
