import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reading of a server process from `/proc` (Linux): resident memory, open
/// descriptors and CPU time, so a load test on the same machine reports what the
/// server spent alongside what the client saw.
public struct ProcessSample: Sendable, Codable, Hashable {
    /// The process id.
    public var pid: Int32
    /// Resident memory, in KiB (`VmRSS`).
    public var rssKiB: Int
    /// Open file descriptors: its sockets among them.
    public var descriptors: Int
    /// User plus system CPU time so far, in seconds.
    public var cpuSeconds: Double

    /// Reads `pid`, or nil when it is gone or `/proc` is not there.
    public static func read(_ pid: Int32) -> ProcessSample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let rssLine = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let rss = rssLine.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) }),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return nil }
        // Fields after the command name: state is the first, utime the 12th, stime the 13th (in clock ticks).
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        return ProcessSample(pid: pid, rssKiB: rss, descriptors: descriptors, cpuSeconds: (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Reads every pid that is still there.
    static func read(_ pids: [Int32]) -> [ProcessSample] { pids.compactMap(read) }
}
