#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex that lives in a `SharedMemoryRegion` and locks across processes.
///
/// It is robust: when a worker dies holding it (SIGKILL, a trap), the next
/// locker gets it back instead of waiting forever. The data it guards may be
/// half-updated then, so guard only state that tolerates that (counters,
/// timestamps), never state whose invariants span several writes.
public struct SharedMutex: @unchecked Sendable {
    /// Bytes a mutex takes in a region, rounded up to keep neighbours aligned.
    public static let size = (MemoryLayout<pthread_mutex_t>.size + 7) & ~7

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(address: UnsafeMutableRawPointer) {
        self.mutex = address.assumingMemoryBound(to: pthread_mutex_t.self)
    }

    /// Lays out a process-shared, robust mutex at `address`; call it from a
    /// region's `initialize` closure.
    public static func initialize(at address: UnsafeMutableRawPointer) {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_setpshared(&attributes, Int32(PTHREAD_PROCESS_SHARED))
        #if canImport(Glibc)
        pthread_mutexattr_setrobust(&attributes, Int32(PTHREAD_MUTEX_ROBUST))
        #endif
        pthread_mutex_init(address.assumingMemoryBound(to: pthread_mutex_t.self), &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    /// Runs `body` holding the lock. Keep `body` short and free of I/O: every
    /// worker of the machine may be waiting on it.
    @inlinable
    public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }

    @usableFromInline
    func lock() {
        let result = pthread_mutex_lock(mutex)
        #if canImport(Glibc)
        if result == EOWNERDEAD {
            // The previous holder died inside its critical section; take the lock over.
            pthread_mutex_consistent(mutex)
            return
        }
        #endif
        precondition(result == 0, "pthread_mutex_lock failed: \(result)")
    }

    @usableFromInline
    func unlock() {
        pthread_mutex_unlock(mutex)
    }
}
