import Foundation

/// wrk on loopback, for tests that need load while something happens.
enum Wrk {
    /// Starts wrk for `seconds` against `path`; `report` waits for it.
    static func start(port: Int, path: String, connections: Int, seconds: Int) throws -> (Process, Pipe) {
        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        load.arguments = ["-t1", "-c\(connections)", "-d\(seconds)s", "http://127.0.0.1:\(port)\(path)"]
        let output = Pipe()
        load.standardOutput = output
        load.standardError = output
        try load.run()
        return (load, output)
    }

    /// Waits for wrk to finish and returns what it printed.
    static func report(_ load: (Process, Pipe)) -> String {
        load.0.waitUntilExit()
        return String(decoding: load.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// wrk's socket errors (connect + read + write + timeout), 0 when it printed none.
    static func socketErrors(_ report: String) -> Int {
        guard let line = report.split(separator: "\n").first(where: { $0.contains("Socket errors") }) else { return 0 }
        return line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.reduce(0, +)
    }
}
