import FleetRedis
import Logging
import ServiceLifecycle
import Synchronization

extension Cache {
    /// Applies invalidations from other instances until graceful shutdown,
    /// subscribing again (with the L1 off) whenever the subscription fails.
    func listen(_ redis: CacheRedisLevel) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let subscription = try await redis.client.subscribe(to: [redis.channel]) { [weak self] in
                        // Messages published while the connection was down are lost: drop everything.
                        self?.logger.info("cache invalidation channel resubscribed; L1 flushed")
                        self?.flush()
                    }
                    defer { subscription.cancel() }
                    // Loads that began before the subscription may have missed an invalidation.
                    self.flush()
                    self.coherent.store(true, ordering: .relaxed)
                    defer { self.coherent.store(false, ordering: .relaxed) }
                    for await message in subscription {
                        self.received(message)
                    }
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning("cache cannot subscribe to invalidations; L1 off", metadata: ["cache.error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// An invalidation published by an instance: `origin key`.
    func received(_ message: RedisPubSubMessage) {
        let text = message.text
        guard let space = text.firstIndex(of: " "), text[..<space] != self.origin else { return }
        let key = String(text[text.index(after: space)...])
        self.generations.advance(self.generations.slot(for: key))
        self.remove(key)
        self.invalidations.add(1, ordering: .relaxed)
    }
}
