import FleetHTTP
import HTTPTypes
import PostgresNIO

extension PostgresUserStore {
    /// Which server a query goes to.
    enum Route {
        /// Writes, and reads that must see every committed write.
        case primary
        /// Reads that may lag a little (lists); the primary when there is no replica or it is down.
        case replica
        /// A lookup by key: the replica, then the primary when the replica has no such row yet.
        case replicaThenPrimary
    }

    static func pooled(_ configuration: PostgresClient.Configuration, max: Int) -> PostgresClient.Configuration {
        var configuration = configuration
        configuration.options.maximumConnections = max
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.connectionIdleTimeout = .seconds(30)
        return configuration
    }

    func one(_ query: PostgresQuery, on route: Route = .primary) async throws -> User? {
        guard route == .replicaThenPrimary, self.replica != nil else { return try await self.all(query, on: route).first }
        if let user = try await self.all(query, on: .replica).first { return user }
        return try await self.all(query, on: .primary).first
    }

    func all(_ query: PostgresQuery, on route: Route = .primary) async throws -> [User] {
        if route != .primary, let replica = self.replica {
            do {
                return try await self.replicaGate.run { try await self.rows(query, on: replica) }
            } catch let problem as Problem where problem.status == .serviceUnavailable {
                self.logger.warning("read replica unavailable; reading the primary", metadata: ["db.system": "postgresql"])
            }
        }
        return try await self.gate.run { try await self.rows(query, on: self.client) }
    }

    private func rows(_ query: PostgresQuery, on client: PostgresClient) async throws -> [User] {
        do {
            return try await self.traced(query) {
                var users: [User] = []
                for try await (id, name, email) in try await client.query(query, logger: self.logger).decode((Int64, String, String).self) {
                    users.append(User(id: id, name: name, email: email))
                }
                return users
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw UserStoreError.duplicateEmail
        }
    }
}
