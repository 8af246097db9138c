import NIOCore

/// Where the load goes: an `http://` host and port (TLS is not supported).
public struct Target: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The path and query of the URL, starting with `/`.
    public var path: String

    /// Parses `http://host[:port][/path][?query]`.
    public init(url: String) throws {
        guard url.hasPrefix("http://") else {
            if url.hasPrefix("https://") {
                throw LoadError(.invalidArgument, "URL '\(url)': https is not supported; use http:// (put TLS in front of the service, not in the load path)")
            }
            throw LoadError(.invalidArgument, "URL '\(url)': expected http://HOST[:PORT]/PATH")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty || path.first == "?" { path = "/" + path }
        var host = String(authority)
        var port = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw LoadError(.invalidArgument, "URL '\(url)': port must be 1-65535")
            }
            port = parsed
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw LoadError(.invalidArgument, "URL '\(url)': missing host") }
        self.host = host
        self.port = port
        self.path = path
    }

    /// The value of the `Host` header.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    public var description: String { "http://\(hostHeader)\(path)" }
}

extension Target {
    /// The socket address of `host` and `port`.
    /// - Throws: `LoadError` with code `connectFailed` when the host does not resolve.
    func resolve() throws -> SocketAddress {
        do {
            return try SocketAddress.makeAddressResolvingHost(host, port: port)
        } catch {
            throw LoadError(.connectFailed, "cannot resolve \(host):\(port)", underlying: error)
        }
    }
}
