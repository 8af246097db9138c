#if canImport(Glibc)
import Glibc
#endif

/// CPU and memory of a process, read from /proc (Linux).
struct ProcessStats: Sendable, Equatable {
    var cpuSeconds: Double
    var memoryBytes: Int

    static func read(pid: pid_t) -> ProcessStats? {
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let statm = readSmallFile("/proc/\(pid)/statm") else { return nil }
        // Fields after the parenthesised command name, which may itself contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return ProcessStats(cpuSeconds: (user + system) / ticks, memoryBytes: pages * Int(sysconf(Int32(_SC_PAGESIZE))))
    }
}

/// Reads a file of a few KiB at most (a /proc entry) in one go.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return nil }
    return String(decoding: buffer[..<count], as: UTF8.self)
}
