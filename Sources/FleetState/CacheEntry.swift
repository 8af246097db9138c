import NIOCore

/// A value in the L1, with the deadlines and the generation it was loaded under.
struct CacheEntry: Sendable {
    /// The value; nil caches "no such value".
    var value: ByteBuffer?
    /// Monotonic nanoseconds after which the loader is asked again.
    var freshUntil: Int64
    /// Monotonic nanoseconds until which the value may still be served when the loader fails.
    var staleUntil: Int64
    /// The generation counter it belongs to, and that counter's value before the load.
    var slot: Int
    var generation: UInt64
    /// Past its TTL and kept only because the loader failed: a hit on it counts as a stale serve.
    var isStale = false
}
