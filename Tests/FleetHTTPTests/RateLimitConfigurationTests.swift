import FleetHTTP
import FleetState
import Testing

@Suite struct RateLimitConfigurationTests {
    func configuration(_ environment: [String: String]) throws(ConfigurationError) -> RateLimitConfiguration {
        try FleetConfiguration(environment: environment).rateLimit
    }

    @Test func theDefaultIsTheSeedsLimit() throws {
        let configuration = try self.configuration([:])
        #expect(configuration.policy == RateLimitPolicy(limit: 100, window: .seconds(60)))
        #expect(configuration.onFailure == .insurance)
        #expect(!configuration.legacyHeaders)
        #expect(configuration.preBlock)
        #expect(configuration.trustedProxies.isEmpty)
        #expect(configuration.leasing == RateLimitLeasing(maxPoints: 1_000, share: 16, lifetime: .milliseconds(250)))
    }

    @Test func leasingIsSetOrTurnedOff() throws {
        #expect(try self.configuration(["RATE_LIMIT_LEASE": "500"]).leasing.maxPoints == 500)
        #expect(try self.configuration(["RATE_LIMIT_LEASE": "off"]).leasing == .off)
        #expect(try self.configuration(["RATE_LIMIT_LEASE": "0"]).leasing == .off)
    }

    @Test func hostsShareTheInsurance() throws {
        #expect(try self.configuration([:]).hosts == 1)
        #expect(try self.configuration(["RATE_LIMIT_HOSTS": "3"]).hosts == 3)
        #expect(throws: ConfigurationError(variable: "RATE_LIMIT_HOSTS", value: "0", accepted: "an integer from 1 to 10000")) {
            try self.configuration(["RATE_LIMIT_HOSTS": "0"])
        }
    }

    @Test func everyVariableIsRead() throws {
        let configuration = try self.configuration([
            "RATE_LIMIT": "10/m", "RATE_LIMIT_ALGORITHM": "gcra", "RATE_LIMIT_BLOCK": "5m", "RATE_LIMIT_ON_FAILURE": "closed",
            "RATE_LIMIT_LEGACY_HEADERS": "true", "RATE_LIMIT_PREBLOCK": "false", "TRUSTED_PROXIES": "127.0.0.1/32,10.0.0.0/8", "RATE_LIMIT_PREFIX": "app:",
        ])
        #expect(configuration.policy == RateLimitPolicy(limit: 10, window: .seconds(60), algorithm: .gcra, blockDuration: .seconds(300)))
        #expect(configuration.onFailure == .closed)
        #expect(configuration.legacyHeaders)
        #expect(!configuration.preBlock)
        #expect(!configuration.trustedProxies.isEmpty)
        #expect(configuration.redisPrefix == "app:")
        #expect(try self.configuration(["RATE_LIMIT": "off"]).policy == nil)
        #expect(try self.configuration(["RATE_LIMIT_ALGORITHM": "sliding-window"]).policy?.algorithm == .slidingWindow)
        #expect(try self.configuration(["RATE_LIMIT": "5/500ms"]).policy?.window == .milliseconds(500))
    }

    @Test(arguments: [
        ("RATE_LIMIT", "100"), ("RATE_LIMIT", "0/60s"), ("RATE_LIMIT", "ten/60s"), ("RATE_LIMIT", "10/soon"),
        ("RATE_LIMIT_ALGORITHM", "leaky-bucket"), ("RATE_LIMIT_BLOCK", "forever"), ("RATE_LIMIT_ON_FAILURE", "maybe"),
        ("RATE_LIMIT_LEGACY_HEADERS", "sure"), ("RATE_LIMIT_PREBLOCK", "maybe"), ("TRUSTED_PROXIES", "10.0.0.0/40"), ("RATE_LIMIT_KEYS", "1"),
        ("RATE_LIMIT_LEASE", "-1"), ("RATE_LIMIT_LEASE", "lots"),
    ])
    func badValuesNameTheirVariable(variable: String, value: String) {
        do {
            _ = try self.configuration([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
        }
    }
}
