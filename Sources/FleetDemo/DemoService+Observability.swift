import FleetHTTP
import FleetRedis
import FleetState
import Metrics

extension DemoService {
    /// Pool and cache readings for `/metrics`, taken on each scrape, under
    /// OpenTelemetry's database-client names where there is one.
    static func observe(store: some UserStore, redis: RedisClient?, cache: Cache?, on samplers: ScrapeSamplers) {
        if let postgres = store as? PostgresUserStore {
            let used = Gauge(label: "db.client.connection.count", dimensions: [("db.system.name", "postgresql"), ("db.client.connection.state", "used")])
            let pending = Gauge(label: "db.client.connection.pending_requests", dimensions: [("db.system.name", "postgresql")])
            let maximum = Gauge(label: "db.client.connection.max", dimensions: [("db.system.name", "postgresql")])
            samplers.add {
                let usage = postgres.poolUsage
                used.record(usage.used)
                pending.record(usage.pending)
                maximum.record(usage.max)
            }
        }
        if let redis {
            func gauge(_ label: String, _ state: String? = nil) -> Gauge {
                Gauge(label: label, dimensions: [("db.system.name", "redis")] + (state.map { [("db.client.connection.state", $0)] } ?? []))
            }
            let leased = gauge("db.client.connection.count", "used")
            let shared = gauge("db.client.connection.count", "idle")
            let pending = gauge("db.client.connection.pending_requests")
            let maximum = gauge("db.client.connection.max")
            samplers.add {
                let pool = redis.poolStatistics
                // Shared connections pipeline every caller's commands: only a lease takes one from the pool.
                leased.record(pool.leased)
                shared.record(pool.shared)
                pending.record(pool.waiters)
                maximum.record(pool.maximum)
            }
        }
        if let cache {
            let events: [(String, @Sendable (CacheStatistics) -> Int)] = [
                ("hit", \.hits), ("miss", \.misses), ("l2_hit", \.l2Hits), ("load", \.loads),
                ("stale", \.staleServes), ("eviction", \.evictions), ("invalidation", \.invalidations),
            ]
            let counters = events.map { (SampledCounter(label: "fleet.cache.events.total", dimensions: [("event", $0.0)]), $0.1) }
            samplers.add {
                let statistics = cache.statistics()
                for (counter, count) in counters { counter.update(to: Double(count(statistics))) }
            }
        }
    }
}
