import FleetState

extension FleetConfiguration {
    /// The timeouts as FleetState takes them.
    public var sessionConfiguration: SessionConfiguration {
        SessionConfiguration(idleTimeout: self.sessionIdleTimeout, absoluteTimeout: self.sessionAbsoluteTimeout)
    }

    /// The cookie signer: `SESSION_SECRETS`, or else the secret generated once under
    /// the state directory, which every worker and restart of this machine shares.
    /// - Throws: `FleetStateError` when the generated secret cannot be read or written.
    public func sessionSigner() throws -> SessionSigner {
        let secrets = self.sessionSecrets.isEmpty ? [try SessionSecretFile.loadOrCreate(directory: self.stateDirectory)] : self.sessionSecrets
        return try SessionSigner(secrets: secrets)
    }

    mutating func readSessions(_ env: EnvironmentReader) throws(ConfigurationError) {
        self.sessionSecrets = try env.secrets("SESSION_SECRETS", minimumBytes: SessionSigner.minimumSecretLength) ?? []
        if self.redisURL != nil && self.sessionSecrets.isEmpty {
            // A generated secret lives on one machine; workers behind one Redis may be on many.
            throw ConfigurationError(
                variable: "SESSION_SECRETS",
                value: "",
                accepted: "comma-separated secrets of at least \(SessionSigner.minimumSecretLength) bytes each; required when REDIS_URL is set"
            )
        }
        self.sessionIdleTimeout = try env.duration("SESSION_IDLE_TIMEOUT") ?? self.sessionIdleTimeout
        self.sessionAbsoluteTimeout = try env.duration("SESSION_ABSOLUTE_TIMEOUT") ?? self.sessionAbsoluteTimeout
        if self.sessionIdleTimeout < .seconds(1) {
            throw ConfigurationError(variable: "SESSION_IDLE_TIMEOUT", value: env.string("SESSION_IDLE_TIMEOUT") ?? "", accepted: "a duration of at least 1s")
        }
        if self.sessionAbsoluteTimeout < self.sessionIdleTimeout {
            throw ConfigurationError(
                variable: "SESSION_ABSOLUTE_TIMEOUT",
                value: env.string("SESSION_ABSOLUTE_TIMEOUT") ?? "24h",
                accepted: "a duration no shorter than SESSION_IDLE_TIMEOUT"
            )
        }
        self.sessionCookieSecure = try env.boolean("SESSION_COOKIE_SECURE") ?? self.sessionCookieSecure
        self.sessionKeyPrefix = env.string("SESSION_KEY_PREFIX") ?? self.sessionKeyPrefix
    }
}
