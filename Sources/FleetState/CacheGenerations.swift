import Atomics

/// The counters L1 entries are checked against. A key hashes to one counter;
/// invalidating the key increments it, so every entry loaded under an older
/// value stops matching, in every process that maps the same counters.
///
/// A loader records the counter before it reads the source of truth, so a
/// load racing a write stores its entry under the old generation, which the
/// write's increment has already made stale. Keys sharing a counter only cost
/// each other a spurious miss.
final class CacheGenerations: @unchecked Sendable {
    /// Counters in the table: 512 KiB, a spurious miss for one key in 65,536.
    static let count = 1 << 16
    /// Identifies the shared file's layout ("FLEETCG1").
    static let layoutID: UInt64 = 0x464C_4545_5443_4731

    private let counters: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    /// Keeps a shared mapping alive; nil when the counters are this process's own.
    private let region: SharedMemoryRegion?

    /// Counters private to this process.
    init() {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Self.count * 8, alignment: 8)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: Self.count * 8)
        self.counters = memory.bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: Self.count)
        self.region = nil
    }

    /// Counters in a file every process of the machine maps.
    init(path: String) throws {
        let region = try SharedMemoryRegion(path: path, size: Self.count * 8, layoutID: Self.layoutID) { _ in }
        self.counters = region.base.bindMemory(to: UnsafeAtomic<UInt64>.Storage.self, capacity: Self.count)
        self.region = region
    }

    deinit {
        if self.region == nil { self.counters.deallocate() }
    }

    /// The counter for `key`: FNV-1a over its UTF-8, the same in every process
    /// (Swift's `hashValue` is seeded per process, so it cannot be shared).
    func slot(for key: String) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return Int(truncatingIfNeeded: hash) & (Self.count - 1)
    }

    func current(_ slot: Int) -> UInt64 {
        UnsafeAtomic<UInt64>(at: self.counters + slot).load(ordering: .acquiring)
    }

    func advance(_ slot: Int) {
        UnsafeAtomic<UInt64>(at: self.counters + slot).wrappingIncrement(ordering: .sequentiallyConsistent)
    }

    /// Makes every entry stale, e.g. when invalidations may have been missed.
    func advanceAll() {
        for slot in 0..<Self.count { self.advance(slot) }
    }
}
