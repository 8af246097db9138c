#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import NIOCore

/// An open file descriptor of `EmbeddedObjectStore`, closed once: by `close()` or when dropped,
/// so an object nobody streams does not leak its descriptor. Its calls block: run them on a thread pool.
final class ObjectFile: Sendable {
    private let descriptor: Mutex<CInt?>

    init(descriptor: CInt) {
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        self.close()
    }

    /// Opens `path`; nil when there is no such file.
    static func open(_ path: String, flags: CInt, mode: mode_t = 0o644) throws(FleetStateError) -> ObjectFile? {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.failure("open \(path)")
        }
        return ObjectFile(descriptor: fd)
    }

    func close() {
        self.descriptor.withLock { fd in
            if let open = fd { _ = Glibc.close(open) }
            fd = nil
        }
    }

    private func fd() throws(FleetStateError) -> CInt {
        guard let fd = self.descriptor.withLock({ $0 }) else {
            throw FleetStateError(.backendUnavailable, "object file already closed")
        }
        return fd
    }

    /// Writes all of `buffer`, retrying short writes.
    func write(_ buffer: ByteBuffer) throws(FleetStateError) {
        let fd = try self.fd()
        let failed = buffer.withUnsafeReadableBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed { throw Self.failure("write") }
    }

    /// Up to `count` bytes from `offset`; fewer only at the end of the file.
    func read(at offset: Int, count: Int, allocator: ByteBufferAllocator) throws(FleetStateError) -> ByteBuffer {
        let fd = try self.fd()
        var buffer = allocator.buffer(capacity: count)
        let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
            var total = 0
            while total < count {
                let n = pread(fd, bytes.baseAddress! + total, count - total, off_t(offset + total))
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return n < 0 && total == 0 ? -1 : total }
                total += n
            }
            return total
        }
        guard read >= 0 else { throw Self.failure("read") }
        return buffer
    }

    /// The file's size and modification time in nanoseconds.
    func status() throws(FleetStateError) -> (size: Int, modified: Int64) {
        var info = stat()
        guard fstat(try self.fd(), &info) == 0 else { throw Self.failure("fstat") }
        return (Int(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    func sync() throws(FleetStateError) {
        guard fsync(try self.fd()) == 0 else { throw Self.failure("fsync") }
    }

    static func failure(_ operation: String) -> FleetStateError {
        FleetStateError(.backendUnavailable, "object store: \(operation) failed: \(String(cString: strerror(errno)))")
    }
}
