import FleetHTTP
import HTTPTypes
import NIOCore
import Testing

/// Whose address a request is limited by: a client cannot forge its way out.
@Suite struct TrustedProxiesTests {
    let attacker = try! SocketAddress(ipAddress: "203.0.113.9", port: 50_000)
    let proxy = try! SocketAddress(ipAddress: "10.0.0.2", port: 50_000)
    let proxies = TrustedProxies(parsing: "10.0.0.0/8, 127.0.0.1, ::1/128")!

    func forwarded(_ values: String...) -> HTTPFields {
        var headers = HTTPFields()
        for value in values { headers.append(HTTPField(name: .xForwardedFor, value: value)) }
        return headers
    }

    @Test func aForgedForwardedForFromAnUntrustedPeerChangesNothing() {
        #expect(self.proxies.clientAddress(peer: self.attacker, headers: self.forwarded("1.2.3.4")) == "203.0.113.9")
        var realIP = HTTPFields()
        realIP[.xRealIP] = "1.2.3.4"
        #expect(self.proxies.clientAddress(peer: self.attacker, headers: realIP) == "203.0.113.9")
        #expect(TrustedProxies().clientAddress(peer: self.proxy, headers: self.forwarded("1.2.3.4")) == "10.0.0.2", "no trusted proxies: the peer")
    }

    @Test func aTrustedProxyNamesTheClient() {
        #expect(self.proxies.clientAddress(peer: self.proxy, headers: self.forwarded("198.51.100.7")) == "198.51.100.7")
        var realIP = HTTPFields()
        realIP[.xRealIP] = "198.51.100.7"
        #expect(self.proxies.clientAddress(peer: self.proxy, headers: realIP) == "198.51.100.7")
        #expect(self.proxies.clientAddress(peer: self.proxy, headers: [:]) == "10.0.0.2")
    }

    @Test func forwardedForIsReadFromTheRightSkippingTrustedHops() {
        // The client put 1.2.3.4 first; the first proxy saw 198.51.100.7; an inner proxy saw 10.1.1.1.
        let headers = self.forwarded("1.2.3.4, 198.51.100.7", "10.1.1.1")
        #expect(self.proxies.clientAddress(peer: self.proxy, headers: headers) == "198.51.100.7")
        #expect(self.proxies.clientAddress(peer: self.proxy, headers: self.forwarded("garbage, 10.1.1.1")) == "10.1.1.1")
        #expect(self.proxies.clientAddress(peer: self.proxy, headers: self.forwarded("10.1.1.1, 10.2.2.2")) == "10.1.1.1", "all trusted: the leftmost")
    }

    @Test func addressesAreCanonical() throws {
        let mapped = try SocketAddress(ipAddress: "::ffff:192.0.2.1", port: 1)
        #expect(TrustedProxies().clientAddress(peer: mapped, headers: [:]) == "192.0.2.1")
        let loopback6 = try SocketAddress(ipAddress: "::1", port: 1)
        #expect(self.proxies.contains(loopback6))
        #expect(self.proxies.clientAddress(peer: loopback6, headers: self.forwarded("[2001:DB8::0001]:443")) == "2001:db8::1")
        #expect(TrustedProxies().clientAddress(peer: try SocketAddress(ipAddress: "255.0.10.100", port: 1), headers: [:]) == "255.0.10.100")
        #expect(TrustedProxies().clientAddress(peer: try SocketAddress(unixDomainSocketPath: "/tmp/x.sock"), headers: [:]) == nil)
    }

    @Test func listsThatDoNotParseAreRefused() {
        #expect(TrustedProxies(parsing: "10.0.0.0/33") == nil)
        #expect(TrustedProxies(parsing: "10.0.0.0/8,nonsense") == nil)
        #expect(TrustedProxies(parsing: "fd00::/8")?.contains(try! SocketAddress(ipAddress: "fdff::1", port: 0)) == true)
        #expect(TrustedProxies(parsing: "0.0.0.0/0")?.contains(self.attacker) == true)
    }
}
