import NIOCore

/// An IPv4 or IPv6 network, `10.0.0.0/8` or `fd00::/8`; an address alone is a network of one.
struct IPNetwork: Sendable, Equatable {
    /// An address as a number; IPv4-mapped IPv6 addresses count as IPv4.
    enum Address: Sendable, Equatable {
        case v4(UInt32)
        case v6(UInt128)

        init?(_ address: SocketAddress) {
            switch address {
            // The address bytes sit at the same offsets in sockaddr_in and sockaddr_in6 on Linux and Darwin.
            case .v4(let v4):
                self = .v4(withUnsafeBytes(of: v4.address) { bytes in bytes[4..<8].reduce(0) { $0 << 8 | UInt32($1) } })
            case .v6(let v6):
                let value = withUnsafeBytes(of: v6.address) { bytes in bytes[8..<24].reduce(0) { $0 << 8 | UInt128($1) } }
                if value >> 32 == 0xFFFF {
                    self = .v4(UInt32(truncatingIfNeeded: value))
                } else {
                    self = .v6(value)
                }
            case .unixDomainSocket:
                return nil
            }
        }

        /// Parses `1.2.3.4`, `::1`, `[::1]`, `[::1]:443` or `1.2.3.4:80`.
        init?(_ text: Substring) {
            var host = text
            if host.first == "[" {
                guard let close = host.firstIndex(of: "]") else { return nil }
                host = host[host.index(after: host.startIndex)..<close]
            } else if let colon = host.firstIndex(of: ":"), host.lastIndex(of: ":") == colon {
                host = host[..<colon]
            }
            guard let address = try? SocketAddress(ipAddress: String(host), port: 0) else { return nil }
            self.init(address)
        }

        /// The canonical text: dotted quad, or RFC 5952 IPv6.
        var text: String {
            switch self {
            case .v4(let value):
                // Written into stack bytes: at most 15, so the String stays inline, with no allocation.
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
                    var count = 0
                    for shift in stride(from: 24, through: 0, by: -8) {
                        if count > 0 {
                            buffer[count] = UInt8(ascii: ".")
                            count += 1
                        }
                        let octet = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                        if octet >= 100 {
                            buffer[count] = UInt8(ascii: "0") + octet / 100
                            count += 1
                        }
                        if octet >= 10 {
                            buffer[count] = UInt8(ascii: "0") + octet / 10 % 10
                            count += 1
                        }
                        buffer[count] = UInt8(ascii: "0") + octet % 10
                        count += 1
                    }
                    return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
                }
            case .v6(let value):
                var packed = ByteBuffer()
                packed.writeInteger(value)
                return (try? SocketAddress(packedIPAddress: packed, port: 0))?.ipAddress ?? ""
            }
        }
    }

    private let network: Address
    private let prefix: Int

    /// Parses `10.0.0.0/8`, `::1/128` or a single address.
    init?(_ text: Substring) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = Address(parts[0]) else { return nil }
        let width = if case .v4 = address { 32 } else { 128 }
        var prefix = width
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...width).contains(bits) else { return nil }
            prefix = bits
        }
        self.prefix = prefix
        self.network = Self.masked(address, prefix: prefix)
    }

    func contains(_ address: Address) -> Bool {
        Self.masked(address, prefix: self.prefix) == self.network
    }

    private static func masked(_ address: Address, prefix: Int) -> Address {
        switch address {
        case .v4(let value):
            return .v4(prefix == 0 ? 0 : value & ~UInt32(0) << (32 - min(prefix, 32)))
        case .v6(let value):
            return .v6(prefix == 0 ? 0 : value & ~UInt128(0) << (128 - prefix))
        }
    }
}
