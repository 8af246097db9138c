import Logging

/// Instances × pool size against the database's `max_connections`: the sum the
/// seeds warn about when a fleet scales out against one PostgreSQL.
struct ConnectionBudget: Equatable {
    let instances: Int
    let poolMax: Int
    let maxConnections: Int

    var total: Int { self.instances * self.poolMax }
    var fits: Bool { self.total <= self.maxConnections }

    func log(to logger: Logger) {
        let metadata: Logger.Metadata = [
            "db.instances": "\(self.instances)",
            "db.pool_max": "\(self.poolMax)",
            "db.connections_needed": "\(self.total)",
            "db.max_connections": "\(self.maxConnections)",
        ]
        if self.fits {
            logger.info("database connection budget: \(self.instances) × \(self.poolMax) = \(self.total) of max_connections \(self.maxConnections)", metadata: metadata)
        } else {
            logger.warning(
                "database connection budget exceeded: \(self.instances) × \(self.poolMax) = \(self.total) > max_connections \(self.maxConnections); lower DB_POOL_MAX or put PgBouncer in front",
                metadata: metadata
            )
        }
    }
}
