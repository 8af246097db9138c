import Testing

@testable import FleetRedis

@Suite struct RedisURLTests {
    @Test func parsesTCPURLs() throws {
        let plain = try RedisConnectionConfiguration(url: "redis://localhost")
        #expect(plain.endpoint == .tcp(host: "localhost", port: 6379))
        #expect(plain.password == nil && plain.database == 0 && plain.tls == nil)

        let full = try RedisConnectionConfiguration(url: "redis://app:p%40ss@10.0.0.5:6380/3")
        #expect(full.endpoint == .tcp(host: "10.0.0.5", port: 6380))
        #expect(full.username == "app")
        #expect(full.password == "p@ss")
        #expect(full.database == 3)

        let passwordOnly = try RedisConnectionConfiguration(url: "redis://:secret@[::1]:7000")
        #expect(passwordOnly.endpoint == .tcp(host: "::1", port: 7000))
        #expect(passwordOnly.username == nil && passwordOnly.password == "secret")

        let tls = try RedisConnectionConfiguration(url: "rediss://cache.example.com:6380/1?protocol=2")
        #expect(tls.tls != nil)
        #expect(tls.protocolVersion == .resp2)
    }

    @Test func parsesUnixSocketURLs() throws {
        let unix = try RedisConnectionConfiguration(url: "unix:///var/run/redis.sock?db=2")
        #expect(unix.endpoint == .unixSocket(path: "/var/run/redis.sock"))
        #expect(unix.database == 2)
    }

    @Test(arguments: ["localhost:6379", "http://x", "redis://host:notaport", "redis://host:0", "redis://host/x", "unix://relative", "redis://"])
    func rejectsBadURLs(_ url: String) {
        #expect(throws: RedisError.self) { try RedisConnectionConfiguration(url: url) }
    }
}
