import HTTPTypes
import NIOCore

extension HTTPField.Name {
    /// `X-Forwarded-For`: the addresses a request came through, client first.
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    /// `X-Real-IP`: the client address, as a single proxy in front saw it.
    public static let xRealIP = HTTPField.Name("X-Real-IP")!
}

/// The proxies whose forwarding headers are believed: a list of networks.
///
/// A client can write any `X-Forwarded-For` it likes, so the header counts
/// only when the connection comes from a trusted proxy, and then only as far
/// as the hops trusted proxies appended: it is read from the right, skipping
/// trusted addresses, and the first untrusted one is the client.
public struct TrustedProxies: Sendable, Equatable {
    private let networks: [IPNetwork]

    /// Trusts no proxy: the client is the peer of the connection.
    public init() {
        self.networks = []
    }

    /// Parses a comma-separated list of addresses and CIDR networks, such as
    /// `127.0.0.1/32, 10.0.0.0/8, ::1`; nil when an entry does not parse.
    public init?(parsing list: String) {
        var networks: [IPNetwork] = []
        for entry in list.split(separator: ",") {
            guard let network = IPNetwork(entry.trimmingSpaces) else { return nil }
            networks.append(network)
        }
        self.networks = networks
    }

    /// True when no proxy is trusted.
    public var isEmpty: Bool { self.networks.isEmpty }

    /// True when `address` belongs to a trusted network.
    public func contains(_ address: SocketAddress) -> Bool {
        guard let ip = IPNetwork.Address(address) else { return false }
        return self.networks.contains { $0.contains(ip) }
    }

    /// The address of the client: the peer, or what trusted proxies say the
    /// peer forwarded; nil when the peer has no IP address (a Unix socket).
    public func clientAddress(peer: SocketAddress?, headers: HTTPFields) -> String? {
        guard let peer, let peerIP = IPNetwork.Address(peer) else { return nil }
        guard !self.networks.isEmpty, self.networks.contains(where: { $0.contains(peerIP) }) else {
            return peerIP.text
        }
        let forwarded = headers[values: .xForwardedFor]
        if forwarded.isEmpty {
            if let real = headers[.xRealIP], let address = IPNetwork.Address(real.trimmingSpaces) { return address.text }
            return peerIP.text
        }
        var client = peerIP
        for line in forwarded.reversed() {
            for hop in line.split(separator: ",").reversed() {
                // An unreadable hop was written by the client, not by a proxy we trust.
                guard let address = IPNetwork.Address(hop.trimmingSpaces) else { return client.text }
                client = address
                if !self.networks.contains(where: { $0.contains(address) }) { return address.text }
            }
        }
        return client.text
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
