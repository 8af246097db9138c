/// One dependency that readiness depends on: the database, Redis.
public struct HealthCheck: Sendable {
    /// The name in the readiness document, e.g. `database`.
    public let name: String
    let probe: @Sendable () async throws -> Void

    /// - Parameters:
    ///   - name: the name in the readiness document.
    ///   - probe: returns when the dependency answers; throws otherwise.
    public init(_ name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}
