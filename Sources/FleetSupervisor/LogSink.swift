#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Where the workers' output goes: the supervisor's stdout, and a log file that
/// rotates by size and keeps a fixed number of old files.
final class LogSink: Sendable {
    private struct File {
        var descriptor: Int32
        var size: Int
    }

    let path: String
    let limit: Int
    let kept: Int
    let echo: Bool
    private let file: NIOLockedValueBox<File?>

    /// - Parameters:
    ///   - path: the log file; its directory must exist.
    ///   - limit: rotate when the file passes this many bytes.
    ///   - kept: rotated files kept (`path.1` newest).
    ///   - echo: also write every line to standard output.
    init(path: String, limit: Int, kept: Int, echo: Bool) {
        self.path = path
        self.limit = limit
        self.kept = kept
        self.echo = echo
        self.file = NIOLockedValueBox(Self.open(path))
    }

    /// Writes one line from worker `instance` (`pid`). JSON lines from Fleet
    /// workers already carry both, so only other lines get a prefix.
    func write(line: String, app: String, instance: Int, pid: pid_t) {
        let text = line.hasPrefix("{") ? line + "\n" : "[\(app):\(instance) \(pid)] \(line)\n"
        self.file.withLockedValue { file in
            if self.echo { Self.writeAll(STDOUT_FILENO, text) }
            guard var current = file else { return }
            current.size += Self.writeAll(current.descriptor, text)
            if current.size >= self.limit {
                Glibc.close(current.descriptor)
                self.rotate()
                file = Self.open(self.path)
            } else {
                file = current
            }
        }
    }

    func close() {
        self.file.withLockedValue { file in
            if let descriptor = file?.descriptor { Glibc.close(descriptor) }
            file = nil
        }
    }

    private func rotate() {
        unlink("\(self.path).\(self.kept)")
        for index in stride(from: self.kept - 1, through: 1, by: -1) {
            rename("\(self.path).\(index)", "\(self.path).\(index + 1)")
        }
        rename(self.path, "\(self.path).1")
    }

    private static func open(_ path: String) -> File? {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        fstat(descriptor, &info)
        return File(descriptor: descriptor, size: Int(info.st_size))
    }

    @discardableResult
    private static func writeAll(_ descriptor: Int32, _ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
            return offset
        }
    }
}
