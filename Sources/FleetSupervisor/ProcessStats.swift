#if canImport(Glibc)
import Glibc
#endif

/// CPU and memory of a process, read from /proc (Linux).
public struct ProcessStats: Sendable, Equatable {
    /// User plus system CPU time.
    public var cpuSeconds: Double
    /// Resident set size.
    public var memoryBytes: Int

    /// The process's figures now; nil when it is gone or /proc is unreadable.
    public static func read(pid: pid_t) -> ProcessStats? {
        guard let stat = readProcFile("/proc/\(pid)/stat"), let statm = readProcFile("/proc/\(pid)/statm") else { return nil }
        // Fields after the parenthesised command name, which may itself contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return ProcessStats(cpuSeconds: (user + system) / ticks, memoryBytes: pages * Int(sysconf(Int32(_SC_PAGESIZE))))
    }
}

extension ProcessStats {
    /// How many descriptors the process has open; nil when /proc is unreadable.
    public static func openDescriptors(pid: pid_t) -> Int? {
        guard let directory = opendir("/proc/\(pid)/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
        }
        return count
    }
}

/// Reads a /proc entry whole. Their sizes read as 0, so read to the end
/// rather than trusting the size (Foundation stops short on them).
func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var contents: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        contents += buffer[..<count]
    }
    return contents.isEmpty ? nil : String(decoding: contents, as: UTF8.self)
}
