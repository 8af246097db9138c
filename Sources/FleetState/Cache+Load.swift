import Logging
import NIOCore
import Synchronization

extension Cache {
    /// Loads `key` once however many callers miss it at the same time.
    func loadOnce(_ key: String, ttl: Duration, _ load: @escaping @Sendable () async throws -> ByteBuffer?) async throws -> ByteBuffer? {
        enum Joined {
            case hit(ByteBuffer?)
            case flight(Task<ByteBuffer?, any Error>)
        }
        let joined: Joined = self.flights.withLock { flights in
            if let flight = flights[key] { return .flight(flight) }
            // A flight may have landed between the caller's miss and here.
            if case .hit(let value) = self.lookup(key, counting: false) { return .hit(value) }
            // Unstructured, so one caller's cancellation does not fail the others.
            let flight = Task { try await self.fill(key, ttl: ttl, load) }
            flights[key] = flight
            return .flight(flight)
        }
        switch joined {
        case .hit(let value): return value
        case .flight(let flight): return try await flight.value
        }
    }

    /// One flight: the L2, else the loader, falling back on a stale value.
    private func fill(_ key: String, ttl: Duration, _ load: @escaping @Sendable () async throws -> ByteBuffer?) async throws -> ByteBuffer? {
        defer { _ = self.flights.withLock { $0.removeValue(forKey: key) } }
        let slot = self.generations.slot(for: key)
        // Read before any source: a write from now on makes what is read here stale.
        let generation = self.generations.current(slot)
        var stale = self.staleEntry(key, generation: generation)
        var version: ByteBuffer?
        if let redis = self.redis {
            do {
                let read = try await redis.read(key)
                version = read.version
                if let stored = read.stored {
                    let entry = self.entry(stored.value, freshUntilWall: stored.freshUntilWall, slot: slot, generation: generation)
                    let now = self.clock.now()
                    if now < entry.freshUntil {
                        self.l2Hits.add(1, ordering: .relaxed)
                        self.store(key, entry)
                        return entry.value
                    }
                    if stale == nil, now < entry.staleUntil { stale = entry }
                }
            } catch {
                // Without the version the load cannot be written back safely; it is still served.
                self.logger.warning("cache could not read Redis", metadata: ["cache.key": "\(key)", "cache.error": "\(error)"])
            }
        }
        self.loads.add(1, ordering: .relaxed)
        let flight = Flight(key: key, ttl: ttl, slot: slot, generation: generation, version: version)
        guard let stale else { return try await self.loadAndStore(flight, load) }
        let work = Task { try await self.loadAndStore(flight, load) }
        do {
            return try await Self.value(of: work, within: self.configuration.loadTimeout)
        } catch {
            self.staleServes.add(1, ordering: .relaxed)
            var retry = stale
            retry.isStale = true
            retry.freshUntil = min(stale.staleUntil, self.clock.now() + CacheClock.nanoseconds(self.configuration.retryInterval))
            self.store(key, retry)
            self.logger.warning("cache served a stale value", metadata: ["cache.key": "\(key)", "cache.error": "\(error)"])
            return stale.value
        }
    }

    private struct Flight: Sendable {
        var key: String
        var ttl: Duration
        var slot: Int
        var generation: UInt64
        /// The L2 version read before loading; nil when the L2 is not to be written.
        var version: ByteBuffer?
    }

    private func loadAndStore(_ flight: Flight, _ load: @Sendable () async throws -> ByteBuffer?) async throws -> ByteBuffer? {
        let value = try await load()
        let lifetime = self.jittered(value == nil ? self.configuration.negativeTTL : flight.ttl)
        guard lifetime > 0 else { return value }
        let now = self.clock.now()
        let grace = CacheClock.nanoseconds(self.configuration.gracePeriod)
        let entry = CacheEntry(
            value: value, freshUntil: now + lifetime, staleUntil: now + lifetime + grace,
            slot: flight.slot, generation: flight.generation
        )
        if let redis = self.redis, let version = flight.version {
            do {
                let written = try await redis.write(
                    flight.key, value: value, freshUntilWall: self.clock.wallMilliseconds() + lifetime / 1_000_000,
                    lifetime: .nanoseconds(lifetime + grace), version: version
                )
                // An invalidation came after the load began: what was loaded may be old already.
                guard written else { return value }
            } catch {
                self.logger.warning("cache could not write Redis", metadata: ["cache.key": "\(flight.key)", "cache.error": "\(error)"])
            }
        }
        self.store(flight.key, entry)
        return value
    }

    /// An entry read from Redis, its wall-clock deadline turned into this process's monotonic time.
    private func entry(_ value: ByteBuffer?, freshUntilWall: Int64, slot: Int, generation: UInt64) -> CacheEntry {
        let freshUntil = self.clock.now() + (freshUntilWall - self.clock.wallMilliseconds()) * 1_000_000
        let grace = CacheClock.nanoseconds(self.configuration.gracePeriod)
        return CacheEntry(value: value, freshUntil: freshUntil, staleUntil: freshUntil + grace, slot: slot, generation: generation)
    }

    /// `ttl` in nanoseconds, shortened by a random fraction of at most `jitter`.
    func jittered(_ ttl: Duration) -> Int64 {
        let nanoseconds = CacheClock.nanoseconds(ttl)
        guard self.configuration.jitter > 0, nanoseconds > 0 else { return nanoseconds }
        return nanoseconds - Int64(Double(nanoseconds) * self.configuration.jitter * Double.random(in: 0..<1))
    }

    /// The value of `work`, or `CacheLoadTimeout` once `timeout` has passed; `work` runs on either way.
    private static func value(of work: Task<ByteBuffer?, any Error>, within timeout: Duration) async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            let race = CacheLoadRace(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                race.finish(.failure(CacheLoadTimeout(timeout: timeout)))
            }
            Task {
                race.finish(await work.result)
                timer.cancel()
            }
        }
    }
}

/// The first of a load and its timer to finish resumes the waiting caller.
private final class CacheLoadRace: Sendable {
    private let continuation: Mutex<CheckedContinuation<ByteBuffer?, any Error>?>

    init(_ continuation: CheckedContinuation<ByteBuffer?, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func finish(_ result: Result<ByteBuffer?, any Error>) {
        self.continuation.withLock { $0.take() }?.resume(with: result)
    }
}

/// A loader ran past `loadTimeout` while a stale value could be served; never thrown to callers.
struct CacheLoadTimeout: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "the loader did not finish within \(self.timeout)" }
}
