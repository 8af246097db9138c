import PostgresNIO
import Synchronization
import Tracing

extension PostgresUserStore {
    /// Runs one statement inside a client span (`SELECT users`) and counts it as
    /// holding a pool connection while it runs, for the pool gauges.
    func traced<Value>(_ query: PostgresQuery, _ body: () async throws -> Value) async throws -> Value {
        self.operations.add(1, ordering: .relaxed)
        defer { self.operations.subtract(1, ordering: .relaxed) }
        return try await withSpan(Self.spanName(query.sql), ofKind: .client) { span in
            span.attributes["db.system.name"] = "postgresql"
            span.attributes["db.query.text"] = query.sql
            return try await body()
        }
    }

    /// The statement's verb and table, as OpenTelemetry's database spans are named.
    static func spanName(_ sql: String) -> String {
        let words = sql.split(whereSeparator: \.isWhitespace)
        guard let verb = words.first else { return "postgresql" }
        let table = zip(words, words.dropFirst()).first { ["FROM", "INTO", "UPDATE"].contains($0.0.uppercased()) }?.1
        let name = verb.uppercased() == "UPDATE" ? words.dropFirst().first : table
        return name.map { "\(verb.uppercased()) \($0)" } ?? verb.uppercased()
    }

    /// Connections in use and requests waiting for one: each statement holds one connection, so
    /// statements past `poolMax` wait (primary and replica counted together). The pool's own
    /// idle count is not public in postgres-nio.
    public var poolUsage: (used: Int, pending: Int, max: Int) {
        let running = self.operations.load(ordering: .relaxed)
        return (min(running, self.poolMax), max(0, running - self.poolMax), self.poolMax)
    }
}
