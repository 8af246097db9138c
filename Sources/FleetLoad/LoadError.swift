/// An error from FleetLoad: a stable code, a message naming the offending input, and the underlying error.
public struct LoadError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidArgument = "invalid_argument"
            case invalidScenario = "invalid_scenario"
            case invalidThreshold = "invalid_threshold"
            case invalidTrace = "invalid_trace"
            case connectFailed = "connect_failed"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A flag or configuration value is out of range or malformed.
        public static let invalidArgument = Code(.invalidArgument)
        /// A scenario file does not parse or has a bad field.
        public static let invalidScenario = Code(.invalidScenario)
        /// A threshold expression does not parse.
        public static let invalidThreshold = Code(.invalidThreshold)
        /// A traffic trace for the HPA simulation does not parse.
        public static let invalidTrace = Code(.invalidTrace)
        /// The target refused or never accepted a connection.
        public static let connectFailed = Code(.connectFailed)

        public var description: String { base.rawValue }
    }

    /// The stable code.
    public var code: Code
    /// A message for a person, naming the field or line at fault.
    public var message: String
    /// The error underneath, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message) (\(underlying))" }
        return message
    }
}
