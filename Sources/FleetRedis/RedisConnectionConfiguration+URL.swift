import NIOSSL

extension RedisConnectionConfiguration {
    /// Parses `redis://[user:pass@]host[:port][/db]`, `rediss://...` (TLS) or `unix:///path[?db=n]`.
    /// - Throws: `RedisError` with code `.invalidURL`.
    public init(url: String) throws(RedisError) {
        self.init()
        guard let schemeEnd = url.firstRange(of: "://") else { throw Self.invalid() }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        switch scheme {
        case "unix":
            guard rest.hasPrefix("/") else { throw Self.invalid() }
            endpoint = .unixSocket(path: Self.percentDecoded(rest))
        case "redis", "rediss":
            if let at = rest.lastIndex(of: "@") {
                let userInfo = rest[..<at]
                rest = rest[rest.index(after: at)...]
                if let colon = userInfo.firstIndex(of: ":") {
                    let user = Self.percentDecoded(userInfo[..<colon])
                    username = user.isEmpty ? nil : user
                    password = Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
                } else if !userInfo.isEmpty {
                    password = Self.percentDecoded(userInfo)
                }
            }
            var hostPort = rest
            if let slash = rest.firstIndex(of: "/") {
                hostPort = rest[..<slash]
                let db = rest[rest.index(after: slash)...]
                if !db.isEmpty {
                    guard let number = Int(db), number >= 0 else { throw Self.invalid() }
                    database = number
                }
            }
            endpoint = try Self.tcpEndpoint(hostPort)
            if scheme == "rediss" {
                tls = .makeClientConfiguration()
            }
        default:
            throw Self.invalid()
        }
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "db":
                guard let number = Int(parts[1]), number >= 0 else { throw Self.invalid() }
                database = number
            case "protocol":
                protocolVersion = parts[1] == "2" ? .resp2 : .resp3
            default:
                continue
            }
        }
    }

    private static func tcpEndpoint(_ hostPort: Substring) throws(RedisError) -> Endpoint {
        var host = hostPort
        var port = 6379
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid() }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()) else { throw invalid() }
                port = number
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            guard let number = Int(hostPort[hostPort.index(after: colon)...]) else { throw invalid() }
            port = number
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw invalid() }
        return .tcp(host: String(host), port: port)
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func invalid() -> RedisError {
        // Never echo the URL: it may hold a password.
        RedisError(.invalidURL, "expected redis://, rediss:// or unix:// URL")
    }
}
