@testable import FleetHTTP
import Logging
import Testing

@Suite struct FleetConfigurationTests {
    @Test func defaults() throws {
        let configuration = try FleetConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databaseURL == nil)
        #expect(configuration.redisURL == nil)
        #expect(configuration.databasePoolMax == 20)
        #expect(configuration.stateDirectory == ".fleet")
        #expect(configuration.logLevel == .info)
        #expect(configuration.bodyLimit == 1 << 20)
        #expect(configuration.drainTimeout == .seconds(30))
        #expect(configuration.instances == 1)
        #expect(configuration.instance == nil)
    }

    @Test func readsEveryVariable() throws {
        let configuration = try FleetConfiguration(environment: [
            "HOST": "0.0.0.0", "PORT": "9000", "DATABASE_URL": "postgres://u@localhost/db", "REDIS_URL": "redis://localhost:6379/1",
            "DB_POOL_MAX": "5", "FLEET_STATE_DIR": "/tmp/state", "LOG_FORMAT": "TEXT", "LOG_LEVEL": "debug",
            "BODY_LIMIT": "2MiB", "DRAIN_TIMEOUT": "1500ms", "FLEET_WORKERS": "4", "FLEET_INSTANCE": "3",
            "SESSION_SECRETS": String(repeating: "s", count: 32),
        ])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.databaseURL == "postgres://u@localhost/db")
        #expect(configuration.redisURL == "redis://localhost:6379/1")
        #expect(configuration.databasePoolMax == 5)
        #expect(configuration.stateDirectory == "/tmp/state")
        #expect(configuration.logFormat == .text)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.bodyLimit == 2 << 20)
        #expect(configuration.drainTimeout == .milliseconds(1500))
        #expect(configuration.instances == 4)
        #expect(configuration.instance == 3)
    }

    @Test(arguments: [
        ("PORT", "http", "an integer from 0 to 65535"),
        ("PORT", "70000", "an integer from 0 to 65535"),
        ("DB_POOL_MAX", "0", "an integer from 1 to 10000"),
        ("LOG_FORMAT", "xml", "json or text"),
        ("LOG_LEVEL", "loud", "one of trace, debug, info, notice, warning, error, critical"),
        ("BODY_LIMIT", "lots", "a size such as 1048576, 512KiB or 1MiB"),
        ("DRAIN_TIMEOUT", "soon", "a duration such as 30s, 500ms or 2m"),
        ("DATABASE_URL", "mysql://db", "a URL starting with postgres:// or postgresql://"),
        ("DATABASE_READ_URL", "mysql://replica", "a URL starting with postgres:// or postgresql://"),
        ("DB_TIMEOUT", "0s", "a positive duration such as 2s or 500ms"),
        ("REDIS_URL", "localhost:6379", "a URL starting with redis:// or rediss:// or unix://"),
        ("FLEET_WORKERS", "-1", "an integer from 1 to 4096"),
        ("CACHE_TTL", "forever", "a duration such as 30s, 500ms or 2m"),
        ("CACHE_L1_ENTRIES", "0", "an integer from 1 to 10000000"),
        ("BENCH_ROUTES", "maybe", "true or false"),
    ])
    func rejectsWhatDoesNotParse(variable: String, value: String, accepted: String) {
        #expect(throws: ConfigurationError(variable: variable, value: value, accepted: accepted)) {
            try FleetConfiguration(environment: [variable: value])
        }
        let message = ConfigurationError(variable: variable, value: value, accepted: accepted).description
        #expect(message.hasPrefix("\(variable)=\"\(value)\" is not valid: expected "))
    }

    @Test(arguments: [("30s", Duration.seconds(30)), ("250ms", .milliseconds(250)), ("2m", .seconds(120)), ("1.5", .milliseconds(1500)), ("1h", .seconds(3600))])
    func parsesDurations(text: String, expected: Duration) {
        #expect(EnvironmentReader.parseDuration(text) == expected)
    }

    @Test(arguments: [("1048576", 1_048_576), ("512KiB", 524_288), ("64k", 65_536), ("1MiB", 1_048_576), ("1G", 1 << 30)])
    func parsesByteCounts(text: String, expected: Int) {
        #expect(EnvironmentReader.parseByteCount(text) == expected)
    }

    @Test func readsTheReplicaAndTimeout() throws {
        let configuration = try FleetConfiguration(environment: ["DATABASE_READ_URL": "postgres://u@replica/db", "DB_TIMEOUT": "750ms"])
        #expect(configuration.databaseReadURL == "postgres://u@replica/db")
        #expect(configuration.databaseTimeout == .milliseconds(750))
        #expect(FleetConfiguration().databaseTimeout == .seconds(2))
    }

    @Test func readsTheCacheVariables() throws {
        let defaults = try FleetConfiguration(environment: [:])
        #expect(defaults.cacheTTL == .seconds(300))
        #expect(defaults.cacheL1Entries == 10_000)
        #expect(defaults.cachePrefix == "fleet:cache:")
        #expect(defaults.benchmarkRoutes == false)
        let configuration = try FleetConfiguration(environment: [
            "CACHE_TTL": "0", "CACHE_L1_ENTRIES": "500", "CACHE_PREFIX": "app:", "BENCH_ROUTES": "true",
        ])
        #expect(configuration.cacheTTL == .zero)
        #expect(configuration.cacheL1Entries == 500)
        #expect(configuration.cachePrefix == "app:")
        #expect(configuration.benchmarkRoutes)
    }

    @Test func emptyValuesMeanUnset() throws {
        let configuration = try FleetConfiguration(environment: ["PORT": "", "DATABASE_URL": ""])
        #expect(configuration.port == 8080)
        #expect(configuration.databaseURL == nil)
    }
}
