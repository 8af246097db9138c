#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Atomics

/// A file under the state directory mapped into every process that opens it:
/// what one worker writes, every worker of the machine sees at once. This is
/// how the embedded backends stay correct across workers with no server.
///
/// The first process to open the file lays it out (under `flock`), writes the
/// caller's layout id into the header, and only then marks it ready; later
/// processes check the id so two incompatible layouts never share a file.
public final class SharedMemoryRegion: @unchecked Sendable {
    /// Bytes reserved at the start of the file for the header.
    public static let headerSize = 64
    private static let magic: UInt64 = 0x464C_4545_5453_484D  // "FLEETSHM"

    public let path: String
    /// Bytes available to the caller, starting at `base`.
    public let size: Int
    /// The caller's area: the mapping past the header.
    public let base: UnsafeMutableRawPointer
    private let mapping: UnsafeMutableRawPointer
    private let mappedSize: Int

    /// Opens (or creates) the file at `path` and maps `size` bytes of it.
    /// - Parameters:
    ///   - layoutID: names the caller's layout and version; a file laid out
    ///     under another id is refused with `.layoutMismatch`.
    ///   - initialize: lays out a new file's area (mutexes, tables). It runs
    ///     once per file, while every other opener waits.
    public init(
        path: String,
        size: Int,
        layoutID: UInt64,
        initialize: (UnsafeMutableRawPointer) -> Void
    ) throws {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("open", path) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw Self.failure("lock", path) }
        defer { flock(fd, LOCK_UN) }

        let total = Self.headerSize + size
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.failure("stat", path) }
        if Int(info.st_size) < total {
            guard ftruncate(fd, off_t(total)) == 0 else { throw Self.failure("size", path) }
        }
        guard let mapped = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            mapped != MAP_FAILED
        else { throw Self.failure("map", path) }

        self.path = path
        self.size = size
        self.mapping = mapped
        self.mappedSize = total
        self.base = mapped + Self.headerSize

        let header = mapped.assumingMemoryBound(to: UInt64.self)
        if header[0] != Self.magic {
            // New (zero-filled) or half-initialised by a process that died:
            // either way nobody can be using it, since they would hold the lock.
            memset(base, 0, size)
            initialize(base)
            header[1] = layoutID
            header[2] = UInt64(size)
            header[0] = Self.magic
            msync(mapped, Self.headerSize, MS_SYNC)
        } else if header[1] != layoutID || header[2] != UInt64(size) {
            munmap(mapped, total)
            throw FleetStateError(
                .layoutMismatch,
                "\(path) was laid out by another version of Fleet; stop every worker using it and delete it"
            )
        }
    }

    deinit {
        munmap(mapping, mappedSize)
    }

    /// The 64-bit atomic at `offset` bytes into the caller's area (8-byte aligned).
    public func atomic(at offset: Int) -> UnsafeAtomic<UInt64> {
        precondition(offset % 8 == 0 && offset + 8 <= size, "atomic outside the region")
        return UnsafeAtomic(at: (base + offset).assumingMemoryBound(to: UnsafeAtomic<UInt64>.Storage.self))
    }

    /// The process-shared mutex at `offset` bytes into the caller's area;
    /// it must have been set up with `SharedMutex.initialize(at:)`.
    public func mutex(at offset: Int) -> SharedMutex {
        precondition(offset % 8 == 0 && offset + SharedMutex.size <= size, "mutex outside the region")
        return SharedMutex(address: base + offset)
    }

    private static func failure(_ step: String, _ path: String) -> FleetStateError {
        let reason = String(cString: strerror(errno))
        return FleetStateError(.sharedMemory, "cannot \(step) state file \(path): \(reason)")
    }
}
