import FleetHTTP
import PostgresNIO
import Synchronization

/// Bounds every database call and fails fast while the database is down.
///
/// postgres-nio's pool has no lease timeout: while PostgreSQL is down a query
/// waits for a connection that never comes, and so does the request. Each call
/// gets a deadline; one that misses it, or fails on the connection, opens the
/// gate for `cooldown`, during which calls get `Problem.unavailable` (503)
/// without touching the pool. Afterwards calls go through again, so service
/// comes back by itself once the database does.
final class DatabaseGate: Sendable {
    let timeout: Duration
    let cooldown: Duration
    /// Nanoseconds on the continuous clock until which calls are refused; 0 when closed.
    private let openUntil = Atomic<Int64>(0)
    private let origin = ContinuousClock.now

    /// - Parameters:
    ///   - timeout: the most one call may take, waiting for a connection included.
    ///   - cooldown: how long calls are refused after one failed on the database being down.
    init(timeout: Duration, cooldown: Duration) {
        self.timeout = timeout
        self.cooldown = cooldown
    }

    /// Runs `call` within the deadline, unless the gate is open.
    ///
    /// The closed path costs one atomic load and `withDeadline`'s two tasks.
    /// - Throws: `Problem.unavailable("database")` when the database is down or slow; `call`'s own errors otherwise.
    func run<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws -> T {
        let until = self.openUntil.load(ordering: .relaxed)
        if until != 0 {
            let now = self.now
            guard until <= now else { throw Problem.unavailable("database") }
            // Half-open: one caller tries the database; the others stay refused until it answers or times out.
            let trial = now + Self.nanoseconds(self.timeout)
            guard self.openUntil.compareExchange(expected: until, desired: trial, ordering: .relaxed).exchanged else {
                throw Problem.unavailable("database")
            }
        }
        do {
            // Unstructured: a query the driver cannot cancel (in flight, or queued in PgBouncer) is left to finish alone.
            let value = try await withDeadline(self.timeout, operation: call)
            if until != 0 { self.markUp() }
            return value
        } catch let error where Self.meansDown(error) {
            self.openUntil.store(self.now + Self.nanoseconds(self.cooldown), ordering: .relaxed)
            throw Problem.unavailable("database")
        } catch {
            // The database answered, if only with an error of the query's own (a duplicate email).
            if until != 0 { self.markUp() }
            throw error
        }
    }

    /// Closes the gate: the database answered (a health probe).
    func markUp() {
        self.openUntil.store(0, ordering: .relaxed)
    }

    private var now: Int64 { Self.nanoseconds(ContinuousClock.now - self.origin) }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Errors of an unreachable or shutting-down server, not of a bad query.
    static func meansDown(_ error: any Error) -> Bool {
        if error is DeadlineExceeded { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            return true
        case .server:
            // Class 08 is a connection exception, class 57 an operator intervention (shutdown, starting up).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57")
        default:
            return false
        }
    }
}
