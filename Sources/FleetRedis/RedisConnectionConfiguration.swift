import NIOCore
import NIOSSL

/// How to reach and log in to one Redis server.
public struct RedisConnectionConfiguration: Sendable {
    /// Where the server listens.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        enum Base: Sendable, Equatable {
            case tcp(host: String, port: Int)
            case unix(path: String)
        }
        let base: Base

        /// A TCP host and port.
        public static func tcp(host: String, port: Int = 6379) -> Endpoint { Endpoint(base: .tcp(host: host, port: port)) }
        /// A Unix domain socket.
        public static func unixSocket(path: String) -> Endpoint { Endpoint(base: .unix(path: path)) }

        public var description: String {
            switch base {
            case .tcp(let host, let port): return "\(host):\(port)"
            case .unix(let path): return "unix:\(path)"
            }
        }
    }

    /// The RESP version to ask for.
    public enum ProtocolVersion: Sendable, Equatable {
        /// RESP2 only: `AUTH` and `CLIENT SETNAME`, pub/sub on its own connection.
        case resp2
        /// `HELLO 3`, falling back to RESP2 when the server does not know `HELLO`.
        case resp3
    }

    /// Where the server listens. Default `127.0.0.1:6379`.
    public var endpoint: Endpoint = .tcp(host: "127.0.0.1")
    /// ACL user name; nil logs in as `default` when a password is set. Default nil.
    public var username: String?
    /// Password; nil skips authentication. Default nil.
    public var password: String?
    /// Database selected after connecting. Default 0.
    public var database: Int = 0
    /// Name shown by `CLIENT LIST`. Default `fleet`.
    public var clientName: String? = "fleet"
    /// TLS settings; nil for plain TCP. Default nil, set by `rediss://` URLs.
    public var tls: TLSConfiguration?
    /// The protocol to negotiate. Default `.resp3`.
    public var protocolVersion: ProtocolVersion = .resp3
    /// How long a command may wait for its reply before it fails with `.timeout`
    /// and the connection is dropped; nil waits forever. Default 30 seconds.
    public var commandTimeout: Duration? = .seconds(30)
    /// How long connecting and the handshake may take. Default 10 seconds.
    public var connectTimeout: Duration = .seconds(10)
    /// Parser limits. Default 512 MiB bulk strings, nesting depth 64.
    public var parser = RESPParserConfiguration()

    /// A configuration for the given endpoint with the defaults above.
    public init(endpoint: Endpoint = .tcp(host: "127.0.0.1")) {
        self.endpoint = endpoint
    }
}
