import Foundation

/// Rate-limit state shared by every process of one machine, with no server:
/// a fixed-size hash table in a `SharedMemoryRegion` under the state directory.
///
/// A check is a hash, a process-shared lock on one of 64 stripes, a short
/// probe and a few integer operations. Keys live in open-addressed slots of
/// their stripe; a full neighbourhood reuses an expired slot, or else gives
/// the slot closest to expiring to the new key.
public final class RateLimitEmbeddedBackend: SynchronousRateLimitBackend {
    static let stripes = 64
    static let slotSize = 48
    static let probes = 32

    private let region: SharedMemoryRegion
    private let slotsPerStripe: Int
    private let slotsOffset: Int
    private let clock: RateLimitClock

    /// Opens (or creates) the table in `directory`.
    /// - Parameters:
    ///   - directory: the state directory (`FLEET_STATE_DIR`); created if missing.
    ///   - capacity: slots in the table, rounded up to a multiple of 64: how many
    ///     keys it tracks at once. Default 65,536 (3 MiB).
    ///   - clock: the time source. Default `CLOCK_MONOTONIC`, which restarts at
    ///     boot, so the file is named after the boot and older ones are removed.
    /// - Throws: `FleetStateError` when the file cannot be created or mapped.
    public init(directory: String, capacity: Int = 65_536, clock: RateLimitClock = .monotonic) throws {
        let perStripe = max(1, (capacity + Self.stripes - 1) / Self.stripes)
        let mutexes = (Self.stripes * SharedMutex.size + 63) & ~63
        self.slotsPerStripe = perStripe
        self.slotsOffset = mutexes
        self.clock = clock
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FleetStateError(.sharedMemory, "cannot create the state directory \(directory)", underlying: error)
        }
        let name = Self.fileName()
        Self.removeFilesOfEarlierBoots(in: directory, keeping: name)
        var layout = RateLimitHasher()
        layout.combine("ratelimit-table-v1".utf8)
        layout.combine(UInt64(perStripe))
        self.region = try SharedMemoryRegion(
            path: "\(directory)/\(name)",
            size: mutexes + Self.stripes * perStripe * Self.slotSize,
            layoutID: layout.value
        ) { base in
            for stripe in 0..<Self.stripes {
                SharedMutex.initialize(at: base + stripe * SharedMutex.size)
            }
        }
    }

    public func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision {
        self.acquireNow(checks)
    }

    /// `acquire` without suspending: it never waits on anything but a short lock.
    public func acquireNow(_ checks: [RateLimitCheck]) -> RateLimitDecision {
        let now = self.clock.now()
        if checks.count == 1 {
            let hash = checks[0].hash
            return self.region.mutex(at: Self.stripe(of: hash) * SharedMutex.size).withLock {
                let slot = self.slot(for: hash, now: now)
                return RateLimitCell.acquire(checks, now: now, load: { _ in slot.cell }, store: { slot.store($1, expiresAt: $2) })
            }
        }
        // Several stripes, locked in ascending order so two unions never deadlock.
        let stripes = Set(checks.map { Self.stripe(of: $0.hash) }).sorted()
        for stripe in stripes { self.region.mutex(at: stripe * SharedMutex.size).lock() }
        defer { for stripe in stripes.reversed() { self.region.mutex(at: stripe * SharedMutex.size).unlock() } }
        let slots = checks.map { self.slot(for: $0.hash, now: now) }
        return RateLimitCell.acquire(checks, now: now, load: { slots[$0].cell }, store: { slots[$0].store($1, expiresAt: $2) })
    }

    private static func stripe(of hash: UInt64) -> Int {
        Int(hash & UInt64(Self.stripes - 1))
    }

    /// The slot holding `hash`, or one claimed for it; the stripe's lock is held.
    private func slot(for hash: UInt64, now: Int64) -> RateLimitSlot {
        let stripeBase = self.region.base + self.slotsOffset + Self.stripe(of: hash) * self.slotsPerStripe * Self.slotSize
        let start = Int((hash >> 6) % UInt64(self.slotsPerStripe))
        var reusable: RateLimitSlot?
        var soonest: RateLimitSlot?
        for probe in 0..<min(Self.probes, self.slotsPerStripe) {
            let slot = RateLimitSlot(stripeBase + (start + probe) % self.slotsPerStripe * Self.slotSize)
            let stored = slot.hash
            if stored == hash { return slot }
            if stored == 0 {
                // Never used: the key is not further along, so it is new.
                let claimed = reusable ?? slot
                claimed.claim(hash)
                return claimed
            }
            if reusable == nil && slot.expiresAt <= now { reusable = slot }
            if soonest.map({ slot.expiresAt < $0.expiresAt }) ?? true { soonest = slot }
        }
        let claimed = reusable ?? soonest!
        claimed.claim(hash)
        return claimed
    }

    /// Names the file after this boot: monotonic times from an earlier boot mean nothing now.
    private static func fileName() -> String {
        guard let bootID = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else {
            return "ratelimit.shm"
        }
        return "ratelimit-\(bootID.prefix(8)).shm"
    }

    /// No process of an earlier boot is alive, so nobody maps these files.
    private static func removeFilesOfEarlierBoots(in directory: String, keeping name: String) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where file.hasPrefix("ratelimit-") && file.hasSuffix(".shm") && file != name {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(file)")
        }
    }
}
