/// An error from the Redis server or from the client.
///
/// Server errors carry the prefix of the error reply as their code
/// (`WRONGTYPE`, `NOSCRIPT`, `MOVED`, `ERR`) and the rest as the message;
/// client-side failures have their own codes.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case server(String)
            case connectionClosed, timeout, protocolError, poolShutdown, leaseTimeout
            case transactionAborted, connectFailed, unexpectedReply, invalidURL
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A server error reply with this prefix (`ERR`, `WRONGTYPE`, ...).
        public static func server(_ prefix: String) -> Code { Code(.server(prefix)) }
        /// The generic server error `ERR`.
        public static let err = server("ERR")
        /// An operation against a key holding the wrong kind of value.
        public static let wrongType = server("WRONGTYPE")
        /// EVALSHA with a script the server does not have cached.
        public static let noScript = server("NOSCRIPT")
        /// A cluster redirection to another node.
        public static let moved = server("MOVED")
        /// Authentication required.
        public static let noAuth = server("NOAUTH")
        /// The user lacks the permission for the command.
        public static let noPerm = server("NOPERM")
        /// Bad credentials.
        public static let wrongPass = server("WRONGPASS")
        /// The connection closed before the reply arrived.
        public static let connectionClosed = Code(.connectionClosed)
        /// The command did not get its reply within its timeout.
        public static let timeout = Code(.timeout)
        /// The server sent bytes that are not valid RESP, or exceeded a parser limit.
        public static let protocolError = Code(.protocolError)
        /// The client is shutting down or not running.
        public static let poolShutdown = Code(.poolShutdown)
        /// No connection became available within the lease timeout.
        public static let leaseTimeout = Code(.leaseTimeout)
        /// EXEC returned null because a watched key changed.
        public static let transactionAborted = Code(.transactionAborted)
        /// Could not connect or complete the handshake.
        public static let connectFailed = Code(.connectFailed)
        /// A reply whose type does not fit the command.
        public static let unexpectedReply = Code(.unexpectedReply)
        /// A connection URL the client does not understand.
        public static let invalidURL = Code(.invalidURL)

        /// True when the server sent this error as a reply.
        public var isServerError: Bool {
            if case .server = base { return true }
            return false
        }

        public var description: String {
            switch base {
            case .server(let prefix): return prefix
            case .connectionClosed: return "connectionClosed"
            case .timeout: return "timeout"
            case .protocolError: return "protocolError"
            case .poolShutdown: return "poolShutdown"
            case .leaseTimeout: return "leaseTimeout"
            case .transactionAborted: return "transactionAborted"
            case .connectFailed: return "connectFailed"
            case .unexpectedReply: return "unexpectedReply"
            case .invalidURL: return "invalidURL"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable message; for server errors, the reply after its prefix.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Splits a server error reply such as `WRONGTYPE Operation against a key` into code and message.
    public init(serverReply text: String) {
        if let space = text.firstIndex(of: " ") {
            self.init(.server(String(text[..<space])), String(text[text.index(after: space)...]))
        } else {
            self.init(.server(text), "")
        }
    }

    public var description: String {
        var text = message.isEmpty ? "\(code)" : "\(code) \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
