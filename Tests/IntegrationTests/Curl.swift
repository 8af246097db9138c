import Foundation
import Testing

/// curl, for what the tests must see as any HTTP client does: uploads from files, redirects, presigned URLs.
enum Curl {
    /// Runs `curl --silent --show-error` with `arguments`; records an issue when curl fails, returns its standard output.
    static func run(_ arguments: [String], maxTime: Int = 120) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--silent", "--show-error", "--max-time", String(maxTime)] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "curl \(arguments)")
        return String(decoding: data, as: UTF8.self)
    }
}
