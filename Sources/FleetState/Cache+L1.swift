import NIOCore
import Synchronization

/// The L1 and the counters its lock already serialises, so a hit pays for no extra atomic.
struct CacheL1 {
    var entries: LRUCache<String, CacheEntry>
    var hits = 0
    var misses = 0
    var staleHits = 0
    var evictions = 0
}

/// What the L1 says about a key.
public enum CacheLookup: Sendable {
    /// A fresh entry: its value, nil for a cached "no such value".
    case hit(ByteBuffer?)
    /// Nothing fresh in this process: `getOrLoad` would go further.
    case miss
}

extension Cache {
    /// The fresh L1 entry for `key`, if it is still of its key's current generation.
    /// A miss is counted only when `countingMisses`: a caller that goes on to `getOrLoad` counts it there.
    func lookup(_ key: String, counting: Bool = true, countingMisses: Bool = true) -> CacheLookup {
        let now = self.clock.now()
        let coherent = self.coherent.load(ordering: .relaxed)
        return self.l1.withLock { l1 in
            guard coherent, let entry = l1.entries.value(forKey: key) else {
                if counting && countingMisses { l1.misses += 1 }
                return .miss
            }
            guard entry.generation == self.generations.current(entry.slot) else {
                // Invalidated, here or in another process: never serve it again, not even stale.
                l1.entries.removeValue(forKey: key)
                if counting && countingMisses { l1.misses += 1 }
                return .miss
            }
            guard now < entry.freshUntil else {
                if counting && countingMisses { l1.misses += 1 }
                return .miss
            }
            if counting {
                if entry.isStale { l1.staleHits += 1 } else { l1.hits += 1 }
            }
            return .hit(entry.value)
        }
    }

    /// The entry for `key` past its TTL but within its grace period, loaded under `generation`.
    func staleEntry(_ key: String, generation: UInt64) -> CacheEntry? {
        let now = self.clock.now()
        return self.l1.withLock { l1 in
            guard let entry = l1.entries.value(forKey: key), entry.generation == generation, now < entry.staleUntil else { return nil }
            return entry
        }
    }

    func store(_ key: String, _ entry: CacheEntry) {
        guard self.coherent.load(ordering: .relaxed) else { return }
        self.l1.withLock { l1 in
            if l1.entries.insert(entry, forKey: key) != nil { l1.evictions += 1 }
        }
    }

    func remove(_ key: String) {
        self.l1.withLock { _ = $0.entries.removeValue(forKey: key) }
    }

    /// Drops every L1 entry, including those of loads still running.
    func flush() {
        self.generations.advanceAll()
        self.l1.withLock { $0.entries.removeAll() }
    }
}
